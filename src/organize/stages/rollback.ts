import { sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../../db/client";
import type { FileStatus, OrganizePlan } from "../../db/organize-schema";
import { bumpCacheVersion } from "../../media/cache";
import { type ChunkResult, countStatus, nextRange } from "./chunk";

/**
 * Puts one chunk of moved files back and restores trashed duplicates. A file that is no longer
 * where the plan put it (deleted, renamed, moved, or its bytes replaced) is reported, not forced.
 */
export async function rollbackChunk(
  db: Db,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const undoable: FileStatus[] = ["moved", "trashed"];
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, undoable) : undefined;
  const range = await nextRange(db, plan, undoable, chunkSize);
  const next = { stage: range.last ? "finish" : "rollback", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: 0, total };
  const nowIso = now.toISOString();
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${range.lo} AND media_id <= ${range.hi}`;
  const fInRange = sql`f.job_id = ${plan.jobId} AND f.media_id > ${range.lo} AND f.media_id <= ${range.hi}`;
  const exists = sql`EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id AND m.owner_id = ${plan.ownerId})`;
  const statements = [
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', updated_at = ${nowIso},
        reason = CASE WHEN ${exists} THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND status = 'moved' AND NOT EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id
          AND m.owner_id = ${plan.ownerId} AND m.folder = organize_files.new_folder
          AND m.name = organize_files.new_name AND m.sha256 = organize_files.sha256)`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', reason = 'missing', updated_at = ${nowIso}
        WHERE ${inRange} AND status = 'trashed' AND NOT ${exists}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.original_folder, name = f.original_name, name_key = f.original_name_key,
        updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.status = 'moved' AND f.media_id = media.id
        AND media.owner_id = ${plan.ownerId}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = NULL, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.status = 'trashed' AND f.media_id = media.id
        AND media.owner_id = ${plan.ownerId}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rolled-back', updated_at = ${nowIso}
        WHERE ${inRange} AND status IN ('moved', 'trashed')`,
    ),
    bumpCacheVersion(db, plan.ownerId),
  ];
  return { statements, next, processed: range.count, total };
}
