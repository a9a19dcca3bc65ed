import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { type OrganizePlan, organizeFiles, organizeNames, organizePlans } from "../../db/organize-schema";
import { outbox } from "../../db/schema";
import { newId } from "../../lib/ids";
import type { OrganizeAction } from "./chunk";

export async function planSummary(db: Db, planId: string) {
  const [byStatus, dups] = await Promise.all([
    db
      .select({
        status: organizeFiles.status,
        files: sql<number>`count(*)`,
        bytes: sql<number>`coalesce(sum(${organizeFiles.size}), 0)`,
      })
      .from(organizeFiles)
      .where(eq(organizeFiles.jobId, planId))
      .groupBy(organizeFiles.status)
      .all(),
    db
      .select({
        groups: sql<number>`count(DISTINCT ${organizeFiles.dupGroup})`,
        files: sql<number>`count(*)`,
        extra: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN 1 ELSE 0 END), 0)`,
        reclaimable: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN ${organizeFiles.size} ELSE 0 END), 0)`,
      })
      .from(organizeFiles)
      .where(and(eq(organizeFiles.jobId, planId), sql`${organizeFiles.dupGroup} IS NOT NULL`))
      .get(),
  ]);
  const statuses: Record<string, number> = {};
  for (const r of byStatus) statuses[r.status] = r.files;
  return {
    files: byStatus.reduce((n, r) => n + r.files, 0),
    bytes: byStatus.reduce((n, r) => n + r.bytes, 0),
    statuses,
    duplicates: {
      groups: dups?.groups ?? 0,
      files: dups?.files ?? 0,
      redundantFiles: dups?.extra ?? 0,
      reclaimableBytes: dups?.reclaimable ?? 0,
    },
  };
}

export async function finish(db: Db, plan: OrganizePlan, action: OrganizeAction, now: Date) {
  const nowIso = now.toISOString();
  const summary = await planSummary(db, plan.jobId);
  const state =
    action === "rollback" ? "rolled-back" : action === "apply" || !plan.dryRun ? "applied" : "planned";
  const stamp =
    state === "rolled-back"
      ? { rolledBackAt: nowIso }
      : state === "applied"
        ? { appliedAt: nowIso, plannedAt: plan.plannedAt ?? nowIso }
        : { plannedAt: nowIso };
  const result = {
    planJobId: plan.jobId,
    action,
    kind: plan.kind,
    match: plan.match,
    dryRun: plan.dryRun,
    state,
    ...summary,
  };
  const domain: BatchItem<"sqlite">[] = [
    db
      .update(organizePlans)
      .set({ state, stage: "done", cursor: "", updatedAt: nowIso, ...stamp })
      .where(eq(organizePlans.jobId, plan.jobId)),
    // Planning is over: the highest `(n)` per name is needed by no one now.
    db.delete(organizeNames).where(eq(organizeNames.jobId, plan.jobId)),
  ];
  // Files moved or moved back: an event in the same batch as the job's success (webhooks).
  if (state !== "planned") {
    domain.push(
      db.insert(outbox).values({
        id: newId("evt"),
        topic: state === "applied" ? "organize.applied" : "organize.rolled_back",
        payload: { ownerId: plan.ownerId, result },
        createdAt: nowIso,
      }),
    );
  }
  return {
    result,
    // The last progress counts what this job handled, in files and bytes, not "1 of 1".
    progress: {
      stage: "done",
      unit: "files",
      done: plan.done,
      total: Math.max(plan.total, plan.done),
      bytesDone: plan.doneBytes,
      bytesTotal: Math.max(plan.totalBytes, plan.doneBytes),
      percent: 100,
    },
    domain,
  };
}
