import { and, asc, count, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inList } from "../../db/in-list";
import { type OrganizePlan, organizeFiles, organizeGroups } from "../../db/organize-schema";
import { isProtected } from "../protect";
import type { FileSource, SourceFile } from "../source";
import { type ChunkResult, NONE } from "./chunk";
import { resolveConflicts } from "./conflicts";
import { keepOrder } from "./keep";
import {
  insertRecords,
  type PlannedFile,
  planByRules,
  planner,
  planRedundant,
  refuseProtected,
} from "./records";

/**
 * The record-writing stages of a plan: `duplicates` (the groups found by the `groups` stage, a chunk
 * of groups at a time, with the copy each keeps) then `scan` (every other file in scope; skipped by
 * a dedupe plan). Each chunk writes one record per file — category, rule, action, destination —
 * before anything moves.
 */

const sum = (files: PlannedFile[]) => ({
  files: files.length,
  bytes: files.reduce((n, f) => n + f.m.size, 0),
});

export async function duplicatesChunk(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const next: ChunkResult["next"] =
    plan.kind === "dedupe"
      ? { stage: plan.dryRun ? "finish" : "apply", cursor: "" }
      : { stage: "scan", cursor: "" };
  // A dedupe plan counts only the files that have twins (an organize plan counted its whole scope).
  const total =
    plan.kind === "dedupe" && plan.cursor === "" && plan.done === 0
      ? await source.measureGrouped()
      : undefined;
  // At most one chunk's worth of groups (each has ≥ 2 files); at least 200 so a small chunk still moves on.
  const groupLimit = Math.max(200, chunkSize);
  const groups = await db
    .select({ key: organizeGroups.groupKey, n: count() })
    .from(organizeGroups)
    .where(and(eq(organizeGroups.jobId, plan.jobId), gt(organizeGroups.groupKey, plan.cursor)))
    .groupBy(organizeGroups.groupKey)
    .orderBy(asc(organizeGroups.groupKey))
    .limit(groupLimit)
    .all();
  const taken: string[] = [];
  let files = 0;
  for (const g of groups) {
    if (taken.length > 0 && files + g.n > chunkSize) break;
    taken.push(g.key);
    files += g.n;
  }
  const finished = taken.length === groups.length && groups.length < groupLimit;
  if (taken.length === 0) return { statements: [], next, processed: NONE, total };

  const members = await db
    .select({ id: organizeGroups.mediaId, key: organizeGroups.groupKey })
    .from(organizeGroups)
    .where(and(eq(organizeGroups.jobId, plan.jobId), inList(organizeGroups.groupKey, taken)))
    .all();
  const keyOf = new Map(members.map((m) => [m.id, m.key]));
  const byKey = new Map<string, SourceFile[]>();
  // Files that left the scope since the groups were found (trashed, moved out) are simply not read.
  for (const row of await source.byIds(members.map((m) => m.id))) {
    const key = keyOf.get(row.id)!;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }

  const p = planner(plan);
  const order = keepOrder(plan.keep, plan.protectedFolders);
  const planned: PlannedFile[] = [];
  for (const [key, group] of byKey) {
    if (group.length < 2) continue;
    group.sort(order);
    const keeper = group[0]!;
    // `protected` acts only where a copy sits in a protected folder; elsewhere every copy is kept.
    const acts = plan.keep !== "protected" || isProtected(keeper.folder, plan.protectedFolders);
    for (const m of group) {
      const kept = !acts || m === keeper || isProtected(m.folder, plan.protectedFolders);
      const file = planByRules(p, m, kept ? "original" : "copy");
      file.dupGroup = key;
      if (!kept) {
        file.dupOf = keeper.id;
        planRedundant(file, plan.duplicates);
      }
      planned.push(file);
    }
  }
  refuseProtected(planned, plan.protectedFolders);
  await resolveConflicts(db, source, plan, planned);
  return {
    statements: insertRecords(db, plan, planned, now),
    next: finished ? next : { stage: "duplicates", cursor: taken.at(-1)! },
    processed: sum(planned),
    total,
  };
}

/** Every other file in scope, one page by upload time; files already planned as duplicates are skipped. */
export async function scanChunk(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const after = plan.cursor ? (JSON.parse(plan.cursor) as [string, string]) : null;
  const page = await source.page(after, chunkSize);
  const last = page.at(-1);
  const next: ChunkResult["next"] =
    page.length < chunkSize || !last
      ? { stage: plan.dryRun ? "finish" : "apply", cursor: "" }
      : { stage: "scan", cursor: JSON.stringify([last.createdAt, last.id]) };
  if (page.length === 0) return { statements: [], next, processed: NONE };
  const already = new Set(
    (
      await db
        .select({ id: organizeFiles.mediaId })
        .from(organizeFiles)
        .where(
          and(
            eq(organizeFiles.jobId, plan.jobId),
            inArray(
              organizeFiles.mediaId,
              sql`(SELECT value FROM json_each(${JSON.stringify(page.map((m) => m.id))}))`,
            ),
          ),
        )
        .all()
    ).map((r) => r.id),
  );
  const p = planner(plan);
  const planned = page.filter((m) => !already.has(m.id)).map((m) => planByRules(p, m, "unique"));
  refuseProtected(planned, plan.protectedFolders);
  await resolveConflicts(db, source, plan, planned);
  return {
    statements: planned.length ? insertRecords(db, plan, planned, now) : [],
    next,
    processed: sum(planned),
  };
}
