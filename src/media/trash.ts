import { and, asc, eq, lte } from "drizzle-orm";
import type { AuditContext } from "../audit/record";
import type { Db } from "../db/client";
import { media } from "../db/schema";
import { purgeMedia } from "./library";

/** Files per purge batch, and batches per request: bounded work per call (D1 allows 1000 queries). */
const CHUNK = 500;
const MAX_CHUNKS = 20;

/**
 * `POST /trash/empty`: deletes every file trashed before the call for good, a chunk at a time
 * through `purgeMedia` (quota, references, an audit row per file, blobs no one references). With
 * more than MAX_CHUNKS × CHUNK files, the answer says how many are `remaining` (call again).
 */
export async function emptyTrash(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  now: Date,
  audit: AuditContext,
): Promise<{ purged: number; remaining: number }> {
  const due = and(eq(media.ownerId, ownerId), lte(media.trashedAt, now.toISOString()));
  let purged = 0;
  for (let round = 0; round < MAX_CHUNKS; round++) {
    const ids = await db
      .select({ id: media.id })
      .from(media)
      .where(due)
      .orderBy(asc(media.trashedAt), asc(media.id))
      .limit(CHUNK)
      .all();
    if (ids.length === 0) return { purged, remaining: 0 };
    // Counted here: purgeMedia's own count is D1's `changes`, which includes rows its triggers touch.
    await purgeMedia(
      db,
      bucket,
      ownerId,
      ids.map((r) => r.id),
      now,
      { audit, reason: "user" },
    );
    purged += ids.length;
    if (ids.length < CHUNK) return { purged, remaining: 0 };
  }
  return { purged, remaining: await db.$count(media, due) };
}
