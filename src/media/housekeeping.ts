import { and, isNotNull, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { media } from "../db/schema";
import { mediaConfig } from "./config";
import { purgeMedia } from "./library";
import { cleanupUploads } from "./resumable";
import { retryThumbnails } from "./thumbnails";

/**
 * Cron work for the media library, as separate tasks so that one failing never stops the others
 * (an owner whose trash can't be purged must not stop upload cleanup or thumbnails for everyone):
 * purge trash past the retention window (audit row per file, blobs go at refcount 0), abort
 * abandoned resumable uploads, retry pending thumbnails. Each is bounded per run.
 */
export function mediaTasks(env: Env, now: Date): Record<string, () => Promise<unknown>> {
  const db = getDb(env.DB);
  return {
    trashRetention: () => purgeExpiredTrash(env, now),
    abandonedUploads: () => cleanupUploads(db, env.MEDIA, now),
    thumbnails: () => retryThumbnails(db, env.MEDIA, now),
  };
}

/**
 * Purges up to `batch` trashed files past retention, owner by owner; an owner whose purge fails is
 * logged and the others go on. Returns how many files were purged.
 */
export async function purgeExpiredTrash(env: Env, now: Date, batch = 200): Promise<number> {
  const db = getDb(env.DB);
  const cutoff = new Date(now.getTime() - mediaConfig(env).trashRetentionDays * 86_400_000).toISOString();
  const expired = await db
    .select({ id: media.id, ownerId: media.ownerId })
    .from(media)
    .where(and(isNotNull(media.trashedAt), lt(media.trashedAt, cutoff)))
    .limit(batch)
    .all();
  const byOwner = new Map<string, string[]>();
  for (const row of expired) byOwner.set(row.ownerId, [...(byOwner.get(row.ownerId) ?? []), row.id]);
  let purged = 0;
  for (const [ownerId, ids] of byOwner) {
    try {
      purged += await purgeMedia(db, env.MEDIA, ownerId, ids, now, { actorId: null, reason: "retention" });
    } catch (error) {
      console.log(
        JSON.stringify({
          level: "error",
          event: "trash_purge_failed",
          ownerId,
          files: ids.length,
          error: String(error),
        }),
      );
    }
  }
  return purged;
}
