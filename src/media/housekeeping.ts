import { and, isNotNull, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { media } from "../db/schema";
import { mediaConfig } from "./config";
import { purgeMedia } from "./library";
import { cleanupUploads } from "./resumable";
import { retryThumbnails } from "./thumbnails";

/**
 * Cron work for the media library, bounded per run: purge trash past the retention window (audit row
 * per file, blobs go at refcount 0), abort abandoned resumable uploads, retry pending thumbnails.
 */
export async function runMediaHousekeeping(
  env: Env,
  now: Date,
  batch = 200,
): Promise<{ purged: number; uploads: number }> {
  const db = getDb(env.DB);
  const config = mediaConfig(env);
  const cutoff = new Date(now.getTime() - config.trashRetentionDays * 86_400_000).toISOString();
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
    purged += await purgeMedia(db, env.MEDIA, ownerId, ids, now, { actorId: null, reason: "retention" });
  }
  const uploads = await cleanupUploads(db, env.MEDIA, now);
  await retryThumbnails(db, env.MEDIA, now);
  return { purged, uploads };
}
