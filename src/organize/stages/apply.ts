import type { Db } from "../../db/client";
import type { OrganizePlan } from "../../db/organize-schema";
import type { FileSource } from "../source";
import { type ChunkResult, countStatus, nextRange } from "./chunk";

/**
 * Executes one chunk of the stored plan through its file source: each file re-checked first (same
 * path, same bytes, same tags, not trashed, not protected now); one that changed since planning is
 * skipped and reported, never forced.
 */
export async function applyChunk(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  protectedFolders: string[],
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, ["planned"]) : undefined;
  const range = await nextRange(db, plan, ["planned"], chunkSize);
  const next = { stage: range.last ? "finish" : "apply", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: range.count, total };
  return {
    statements: source.applyStatements(range.lo, range.hi, protectedFolders, now),
    next,
    processed: range.count,
    total,
  };
}
