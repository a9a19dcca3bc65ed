import type { Db } from "../../db/client";
import type { FileStatus, OrganizePlan } from "../../db/organize-schema";
import type { FileSource } from "../source";
import { type ChunkResult, countStatus, nextRange } from "./chunk";

/** What a rollback undoes: every record the apply changed. */
export const UNDOABLE: FileStatus[] = ["moved", "copied", "tagged", "trashed", "stacked"];

/**
 * Undoes one chunk of applied records. A file no longer where the plan put it (deleted, renamed,
 * moved, re-tagged, its bytes replaced), or in or bound for a protected folder, is reported, not forced.
 */
export async function rollbackChunk(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  protectedFolders: string[],
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, UNDOABLE) : undefined;
  const range = await nextRange(db, plan, UNDOABLE, chunkSize);
  const next = { stage: range.last ? "finish" : "rollback", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: range.count, total };
  return {
    statements: source.rollbackStatements(range.lo, range.hi, protectedFolders, now),
    next,
    processed: range.count,
    total,
  };
}
