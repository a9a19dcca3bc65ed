import type { Db } from "../../db/client";
import type { FileStatus, OrganizePlan } from "../../db/organize-schema";
import type { FileSource } from "../source";
import { type ChunkResult, countStatus, nextRange } from "./chunk";

/** What a rollback undoes: every record the apply changed. */
export const UNDOABLE: FileStatus[] = ["moved", "copied", "tagged", "trashed", "stacked"];

/**
 * The records each of the two moving stages walks, with the journal states a delivery may have left
 * mid-chunk (a source whose moves are a copy then a delete; see bucket-changes.ts).
 */
const WALKS: Record<"apply" | "rollback", FileStatus[]> = {
  apply: ["planned", "moving"],
  rollback: [...UNDOABLE, "restoring"],
};

/**
 * One chunk of a moving stage through its file source. `apply` executes the stored plan: each file
 * re-checked first (same path, same bytes, same tags, not trashed, not protected now); one that
 * changed since planning is skipped and reported, never forced. `rollback` undoes applied records:
 * a file no longer where the plan put it (deleted, renamed, moved, re-tagged, its bytes replaced), or
 * in or bound for a protected folder, is reported, not forced.
 */
export async function moveChunk(
  stage: "apply" | "rollback",
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  protectedFolders: string[],
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const statuses = WALKS[stage];
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, statuses) : undefined;
  const range = await nextRange(db, plan, statuses, Math.min(chunkSize, source.maxChunk ?? chunkSize));
  const next = { stage: range.last ? "finish" : stage, cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: range.count, total };
  const statements = await source[stage](range.lo, range.hi, protectedFolders, now);
  return { statements, next, processed: range.count, total };
}
