import { and, eq, isNotNull, lt } from "drizzle-orm";
import { SYSTEM_AUDIT } from "../audit/record";
import { getDb } from "../db/client";
import { media } from "../db/schema";
import { mediaConfig } from "./config";
import { retryFingerprints } from "./fingerprints/store";
import { purgeMedia } from "./library";
import { cleanupUploads } from "./resumable";
import { retryThumbnails } from "./thumbnails";

/**
 * Cron work for the media library, as separate tasks so that one failing never stops the others
 * (an owner whose trash can't be purged must not stop upload cleanup or thumbnails for everyone):
 * purge trash past the retention window (audit row per file, blobs go at refcount 0), abort
 * abandoned resumable uploads, retry pending thumbnails and fingerprints. Each is bounded per run.
 */
export function mediaTasks(env: Env, now: Date): Record<string, () => Promise<unknown>> {
  const db = getDb(env.DB);
  return {
    trashRetention: () => purgeExpiredTrash(env, now),
    abandonedUploads: () => cleanupUploads(db, env.MEDIA, now),
    thumbnails: () => retryThumbnails(db, env.MEDIA, now),
    fingerprints: () => retryFingerprints(db, env.MEDIA, now),
  };
}

/**
 * Purges trash past retention, owner by owner: up to `owners` owners a run, up to `perOwner` files
 * each. An owner whose purge fails is logged and the others go on — and since owners are picked
 * first, one owner's pile of unpurgeable files can't fill the run and starve everyone else's.
 * Returns how many files were purged.
 */
export async function purgeExpiredTrash(
  env: Env,
  now: Date,
  limits: { owners: number; perOwner: number } = { owners: 10, perOwner: 200 },
): Promise<number> {
  const db = getDb(env.DB);
  const cutoff = new Date(now.getTime() - mediaConfig(env).trashRetentionDays * 86_400_000).toISOString();
  const expired = and(isNotNull(media.trashedAt), lt(media.trashedAt, cutoff));
  const owners = await db
    .selectDistinct({ ownerId: media.ownerId })
    .from(media)
    .where(expired)
    .limit(limits.owners);
  let purged = 0;
  for (const { ownerId } of owners) {
    try {
      const ids = await db
        .select({ id: media.id })
        .from(media)
        .where(and(eq(media.ownerId, ownerId), expired))
        .limit(limits.perOwner);
      purged += await purgeMedia(
        db,
        env.MEDIA,
        ownerId,
        ids.map((r) => r.id),
        now,
        { audit: SYSTEM_AUDIT, reason: "retention" },
      );
    } catch (error) {
      console.log(
        JSON.stringify({ level: "error", event: "trash_purge_failed", ownerId, error: String(error) }),
      );
    }
  }
  return purged;
}
