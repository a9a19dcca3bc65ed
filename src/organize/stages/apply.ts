import { sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../../db/client";
import type { OrganizePlan } from "../../db/organize-schema";
import { bumpCacheVersion } from "../../media/cache";
import { type ChunkResult, countStatus, nextRange } from "./chunk";

/**
 * Executes one chunk of the stored plan. Each file is re-checked first (same path, same SHA-256,
 * not trashed); one that changed since planning is skipped and reported, never forced. Moves are
 * row updates of folder and name; duplicates to trash get `trashed_at`.
 */
export async function applyChunk(
  db: Db,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, ["planned"]) : undefined;
  const range = await nextRange(db, plan, ["planned"], chunkSize);
  const next = { stage: range.last ? "finish" : "apply", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: 0, total };
  const nowIso = now.toISOString();
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${range.lo} AND media_id <= ${range.hi} AND status = 'planned'`;
  const fInRange = sql`f.job_id = ${plan.jobId} AND f.media_id > ${range.lo} AND f.media_id <= ${range.hi} AND f.status = 'planned'`;
  const statements = [
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'skipped', updated_at = ${nowIso},
        reason = CASE WHEN EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id AND m.owner_id = ${plan.ownerId})
          THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND NOT EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id
          AND m.owner_id = ${plan.ownerId} AND m.folder = organize_files.original_folder
          AND m.name = organize_files.original_name AND m.sha256 = organize_files.sha256 AND m.trashed_at IS NULL)`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.new_folder, name = f.new_name, name_key = f.new_name_key, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.media_id = media.id AND media.owner_id = ${plan.ownerId}
        AND f.action IN ('move', 'dup-move')`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = ${nowIso}, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.media_id = media.id AND media.owner_id = ${plan.ownerId}
        AND f.action = 'dup-trash'`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = CASE WHEN action = 'dup-trash' THEN 'trashed' ELSE 'moved' END,
        applied_at = ${nowIso}, updated_at = ${nowIso} WHERE ${inRange}`,
    ),
    bumpCacheVersion(db, plan.ownerId),
  ];
  return { statements, next, processed: range.count, total };
}
