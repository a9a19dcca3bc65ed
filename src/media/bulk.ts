import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { abortUnless, isBatchAbort } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { inList } from "../db/in-list";
import { media } from "../db/schema";
import { notFound } from "../errors";
import { bumpCacheVersion } from "./cache";

export type BulkAction = "move" | "tag" | "untag" | "trash" | "restore";

const NOT_OWNED = "media-not-owned";

/**
 * One change to many files, all or nothing: a guard first aborts the batch unless every id still
 * belongs to the caller, so a concurrent purge can't leave half the files changed.
 */
export async function bulkChange(
  db: Db,
  ownerId: string,
  input: { ids: string[]; action: BulkAction; folder?: string; tags?: string[] },
  now: Date,
): Promise<number> {
  const ids = [...new Set(input.ids)];
  const list = JSON.stringify(ids);
  const owned = await db
    .select({ n: sql<number>`count(*)` })
    .from(media)
    .where(and(eq(media.ownerId, ownerId), inList(media.id, ids)))
    .get();
  if ((owned?.n ?? 0) !== ids.length) throw notFound("media (one or more ids)");
  const nowIso = now.toISOString();
  const picked = sql`owner_id = ${ownerId} AND id IN (SELECT value FROM json_each(${list}))`;
  const tagList = JSON.stringify(input.tags ?? []);
  const recomputeTags = rawInBatch(
    db,
    sql`UPDATE media SET updated_at = ${nowIso}, tags = (SELECT coalesce(json_group_array(tag), '[]') FROM
      (SELECT tag FROM media_tags WHERE media_id = media.id ORDER BY tag)) WHERE ${picked}`,
  );
  const change: BatchItem<"sqlite">[] = [];
  switch (input.action) {
    case "move":
      change.push(
        rawInBatch(
          db,
          sql`UPDATE media SET folder = ${input.folder ?? "/"}, updated_at = ${nowIso} WHERE ${picked}`,
        ),
      );
      break;
    case "tag":
      change.push(
        rawInBatch(
          db,
          sql`INSERT OR IGNORE INTO media_tags (media_id, owner_id, tag)
            SELECT m.id, m.owner_id, t.value FROM media m, json_each(${tagList}) t WHERE m.owner_id = ${ownerId}
            AND m.id IN (SELECT value FROM json_each(${list}))`,
        ),
        recomputeTags,
      );
      break;
    case "untag":
      change.push(
        rawInBatch(
          db,
          sql`DELETE FROM media_tags WHERE owner_id = ${ownerId} AND media_id IN (SELECT value FROM json_each(${list}))
            AND tag IN (SELECT value FROM json_each(${tagList}))`,
        ),
        recomputeTags,
      );
      break;
    case "trash":
      change.push(
        rawInBatch(
          db,
          sql`UPDATE media SET trashed_at = coalesce(trashed_at, ${nowIso}), updated_at = ${nowIso} WHERE ${picked}`,
        ),
      );
      break;
    case "restore":
      change.push(
        rawInBatch(db, sql`UPDATE media SET trashed_at = NULL, updated_at = ${nowIso} WHERE ${picked}`),
      );
      break;
  }
  try {
    await db.batch([
      abortUnless(db, NOT_OWNED, sql`(SELECT count(*) FROM media WHERE ${picked}) = ${ids.length}`),
      ...change,
      bumpCacheVersion(db, ownerId),
    ]);
  } catch (error) {
    if (isBatchAbort(error, NOT_OWNED)) throw notFound("media (one or more ids)");
    throw error;
  }
  return ids.length;
}
