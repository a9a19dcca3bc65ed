import { and, asc, count, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inList } from "../../db/in-list";
import { type OrganizePlan, organizeGroups } from "../../db/organize-schema";
import { isProtected } from "../protect";
import type { FileSource, SourceFile } from "../source";
import { type ChunkResult, NONE } from "./chunk";
import { resolveConflicts } from "./conflicts";
import { keepOrder } from "./keep";
import {
  insertRecords,
  type PlannedFile,
  type Planner,
  planByRules,
  planner,
  planRedundant,
  refuseProtected,
  refuseUnsupported,
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
  const { taken, finished } = await nextGroups(db, plan, chunkSize);
  if (taken.length === 0) return { statements: [], next, processed: NONE, total };

  const groups = await readGroups(db, source, plan, taken);
  const p = planner(plan);
  const order = keepOrder(plan.keep, plan.protectedFolders);
  const planned = [...groups].flatMap(([key, group]) => planGroup(p, plan, key, group.sort(order)));
  refuseUnsupported(planned, source.supports);
  refuseProtected(planned, plan.protectedFolders);
  await resolveConflicts(db, source, plan, planned);
  return {
    statements: insertRecords(db, plan, planned, now),
    next: finished ? next : { stage: "duplicates", cursor: taken.at(-1)! },
    processed: sum(planned),
    total,
  };
}

/**
 * The keys of the groups after the cursor that fit in one chunk of files (at least one group,
 * however large), and whether they are the last ones.
 */
async function nextGroups(db: Db, plan: OrganizePlan, chunkSize: number) {
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
  return { taken, finished: taken.length === groups.length && groups.length < groupLimit };
}

/** The files of the given groups, by group key. */
async function readGroups(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  keys: string[],
): Promise<Map<string, SourceFile[]>> {
  const members: { id: string; key: string }[] = [];
  // 1000 keys (64-character hashes) a query keep each JSON list near 67 KB, whatever the chunk size
  // (a 5000-file chunk may take 2500 groups).
  for (let i = 0; i < keys.length; i += 1000)
    members.push(
      ...(await db
        .select({ id: organizeGroups.mediaId, key: organizeGroups.groupKey })
        .from(organizeGroups)
        .where(
          and(eq(organizeGroups.jobId, plan.jobId), inList(organizeGroups.groupKey, keys.slice(i, i + 1000))),
        )
        .all()),
    );
  const keyOf = new Map(members.map((m) => [m.id, m.key]));
  const byKey = new Map<string, SourceFile[]>();
  // Files that left the scope since the groups were found (trashed, moved out) are simply not read.
  for (const row of await source.byIds(members.map((m) => m.id))) {
    const key = keyOf.get(row.id)!;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  return byKey;
}

/**
 * The records of one group, sorted by the plan's keep order: the first file is the original, the
 * others copies to handle (unless kept); a group down to one file has nothing to do.
 */
function planGroup(p: Planner, plan: OrganizePlan, key: string, group: SourceFile[]): PlannedFile[] {
  if (group.length < 2) return [];
  const keeper = group[0]!;
  // `protected` acts only where a copy sits in a protected folder; elsewhere every copy is kept.
  const acts = plan.keep !== "protected" || isProtected(keeper.folder, plan.protectedFolders);
  return group.map((m) => {
    const kept = !acts || m === keeper || isProtected(m.folder, plan.protectedFolders);
    const file = planByRules(p, m, kept ? "original" : "copy");
    file.dupGroup = key;
    if (!kept) {
      file.dupOf = keeper.id;
      planRedundant(file, plan.duplicates);
    }
    return file;
  });
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
  // Files planned already as duplicates are left out by the source; the last one read is the cursor.
  const page = await source.page(after, chunkSize, { unrecorded: true });
  const last = page.at(-1);
  const next: ChunkResult["next"] =
    page.length < chunkSize || !last
      ? { stage: plan.dryRun ? "finish" : "apply", cursor: "" }
      : { stage: "scan", cursor: JSON.stringify([last.createdAt, last.id]) };
  if (page.length === 0) return { statements: [], next, processed: NONE };
  const p = planner(plan);
  const planned = page.map((m) => planByRules(p, m, "unique"));
  refuseUnsupported(planned, source.supports);
  refuseProtected(planned, plan.protectedFolders);
  await resolveConflicts(db, source, plan, planned);
  return {
    statements: planned.length ? insertRecords(db, plan, planned, now) : [],
    next,
    processed: sum(planned),
  };
}
