import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client";
import { type FileStatus, type OrganizePlan, organizeFiles } from "../../db/organize-schema";

/**
 * What the stages of an organize job share. A stage reads at most one chunk of files and answers
 * the statements that do its work and where the next chunk starts; the job (../job.ts) commits
 * them with the plan's checkpoint in one batch.
 */

export type OrganizeAction = "plan" | "apply" | "rollback";
export type Stage = "fingerprints" | "groups" | "duplicates" | "scan" | "apply" | "rollback" | "finish";

/** Files (and their bytes) a stage counts towards its progress. */
export interface Count {
  files: number;
  bytes: number;
}

export interface ChunkResult {
  statements: BatchItem<"sqlite">[];
  next: { stage: Stage; cursor: string };
  /** What this chunk handled. */
  processed: Count;
  /** Set by a stage's first chunk: what the stage (and the ones counted with it) will handle. */
  total?: Count;
}

export const NONE: Count = { files: 0, bytes: 0 };

/**
 * The next chunk of records with the given statuses after the cursor, as its (lo, hi] media-id range:
 * one row back (count, bytes and last id of the page, walked on the status index), whatever the chunk size.
 */
export async function nextRange(db: Db, plan: OrganizePlan, statuses: FileStatus[], chunkSize: number) {
  const page = db
    .select({ id: organizeFiles.mediaId, size: organizeFiles.size })
    .from(organizeFiles)
    .where(
      and(
        eq(organizeFiles.jobId, plan.jobId),
        inArray(organizeFiles.status, statuses),
        gt(organizeFiles.mediaId, plan.cursor),
      ),
    )
    .orderBy(asc(organizeFiles.mediaId))
    .limit(chunkSize)
    .as("page");
  const row = await db
    .select({
      n: sql<number>`count(*)`,
      bytes: sql<number>`coalesce(sum(${page.size}), 0)`,
      hi: sql<string | null>`max(${page.id})`,
    })
    .from(page)
    .get();
  const count = row?.n ?? 0;
  return {
    lo: plan.cursor,
    hi: row?.hi ?? null,
    count: { files: count, bytes: row?.bytes ?? 0 },
    last: count < chunkSize,
  };
}

export async function countStatus(db: Db, planId: string, statuses: FileStatus[]): Promise<Count> {
  const row = await db
    .select({ n: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${organizeFiles.size}), 0)` })
    .from(organizeFiles)
    .where(and(eq(organizeFiles.jobId, planId), inArray(organizeFiles.status, statuses)))
    .get();
  return { files: row?.n ?? 0, bytes: row?.bytes ?? 0 };
}
