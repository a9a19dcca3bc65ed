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
export type Stage = "duplicates" | "scan" | "apply" | "rollback" | "finish";

export interface ChunkResult {
  statements: BatchItem<"sqlite">[];
  next: { stage: Stage; cursor: string };
  processed: number;
  total?: number;
}

/**
 * The next chunk of records with the given statuses after the cursor, as its (lo, hi] media-id range:
 * one row back (count and last id of the page, walked on the status index), whatever the chunk size.
 */
export async function nextRange(db: Db, plan: OrganizePlan, statuses: FileStatus[], chunkSize: number) {
  const page = db
    .select({ id: organizeFiles.mediaId })
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
    .select({ n: sql<number>`count(*)`, hi: sql<string | null>`max(${page.id})` })
    .from(page)
    .get();
  const count = row?.n ?? 0;
  return { lo: plan.cursor, hi: row?.hi ?? null, count, last: count < chunkSize };
}

export async function countStatus(db: Db, planId: string, statuses: FileStatus[]): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(organizeFiles)
    .where(and(eq(organizeFiles.jobId, planId), inArray(organizeFiles.status, statuses)))
    .get();
  return row?.n ?? 0;
}
