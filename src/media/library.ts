import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AuditContext } from "../audit/record";
import { changesOf, type Db, isConstraintError, rawInBatch } from "../db/client";
import { inList } from "../db/in-list";
import { blobs, type Media, media } from "../db/schema";
import { notFound } from "../errors";
import { newId } from "../lib/ids";
import { deleteDerived, objectKeyOf } from "./blob-store";
import { bumpCacheVersion } from "./cache";
import { isDecodable, isRenderable } from "./images/sources";
import type { MediaMetadata } from "./metadata/extract";
import type { MediaKind } from "./sniff";

/**
 * A library file's record: its public shape, creating it (quota, blob reference, tags, outbox), and
 * changing, trashing and purging one file. Listing is in queries.ts, folders in folders.ts, changes
 * to many files at once in bulk.ts, committing an upload under its name policy in commit.ts.
 */

/** The public JSON shape of a media row (API.md "Media library"). */
export interface PublicMedia {
  id: string;
  name: string;
  folder: string;
  mime: string;
  kind: string;
  size: number;
  sha256: string;
  width?: number;
  height?: number;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  trashedAt?: string;
  /** A stacked duplicate (organizer): the id of the file shown for its stack. */
  stackOf?: string;
  contentUrl: string;
  /** A preview: the thumbnail of a drawable file, an icon of its type otherwise. */
  thumbnailUrl: string;
  /** When the photo was taken (EXIF/XMP), UTC; null when the file doesn't say. */
  takenAt: string | null;
  metadata: MediaMetadata | null;
  /** In the trash: when the retention cron deletes it for good. */
  purgeAt?: string;
}

export function toPublic(row: Media): PublicMedia {
  const out: PublicMedia = {
    id: row.id,
    name: row.name,
    folder: row.folder,
    mime: row.mime,
    kind: row.kind,
    size: row.size,
    sha256: row.sha256,
    tags: row.tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    contentUrl: `/api/v1/media/${row.id}/content`,
    thumbnailUrl: `/api/v1/media/${row.id}/thumbnail`,
    takenAt: row.takenAt,
    metadata: row.metadata,
  };
  if (row.width !== null) out.width = row.width;
  if (row.height !== null) out.height = row.height;
  if (row.trashedAt !== null) out.trashedAt = row.trashedAt;
  if (row.stackOf) out.stackOf = row.stackOf;
  return out;
}

/** The public shape with `purgeAt` for files in the trash (they go `retentionDays` after trashing). */
export function withPurgeAt(item: PublicMedia, retentionDays: number): PublicMedia {
  if (!item.trashedAt) return item;
  return {
    ...item,
    purgeAt: new Date(Date.parse(item.trashedAt) + retentionDays * 86_400_000).toISOString(),
  };
}

const QUOTA_CHECK = /users_used_(bytes|files)_within_quota/;

export interface NewMedia {
  ownerId: string;
  name: string;
  folder: string;
  tags: string[];
  mime: string;
  kind: MediaKind;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  /** The R2 object the bytes were just written to (see `settleWrittenObject` after the batch). */
  objectKey: string;
  /** Photo metadata from the upload's EXIF/XMP (see metadata/extract.ts). */
  metadata?: MediaMetadata | null;
}

/**
 * The statements that make a stored blob a library file: quota (a CHECK constraint refuses going
 * over, so parallel writers can't both squeeze in), blob reference, media row, tags, outbox event,
 * cache version. Other domains (e.g. the vectorizer's SVG output) add them to their own batch; a
 * CHECK failure there means quota (see `isQuotaError`).
 */
export function mediaInsertStatements(
  db: Db,
  input: NewMedia,
  now: Date,
): { row: Media; statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] } {
  const nowIso = now.toISOString();
  const row: Media = {
    id: newId("med"),
    ownerId: input.ownerId,
    name: input.name,
    nameKey: input.name.toLowerCase(),
    folder: input.folder,
    mime: input.mime,
    kind: input.kind,
    size: input.size,
    sha256: input.sha256,
    width: input.width,
    height: input.height,
    tags: input.tags,
    createdAt: nowIso,
    updatedAt: nowIso,
    trashedAt: null,
    stackOf: null,
    takenAt: input.metadata?.takenAt ?? null,
    metadata: input.metadata ?? null,
    takenSort: input.metadata?.takenAt ?? nowIso,
  };
  const { takenSort: _generated, ...values } = row;
  const thumb = isRenderable(input) ? "pending" : "none";
  // Fingerprints (src/media/fingerprints) are made for the rasters the Worker decodes.
  const fingerprint = isDecodable(input) ? "pending" : "none";
  return {
    row,
    statements: [
      rawInBatch(
        db,
        sql`UPDATE users SET used_bytes = used_bytes + ${input.size}, used_files = used_files + 1,
          cache_version = cache_version + 1 WHERE id = ${input.ownerId}`,
      ),
      rawInBatch(
        db,
        sql`INSERT INTO blobs (sha256, object_key, size, mime, ref_count, thumb_status, fingerprint_status, created_at)
          VALUES (${input.sha256}, ${input.objectKey}, ${input.size}, ${input.mime}, 1, ${thumb}, ${fingerprint}, ${nowIso})
          ON CONFLICT (sha256) DO UPDATE SET ref_count = ref_count + 1`,
      ),
      db.insert(media).values(values),
      rawInBatch(
        db,
        sql`INSERT INTO media_tags (media_id, owner_id, tag) SELECT ${row.id}, ${row.ownerId}, value FROM json_each(${JSON.stringify(input.tags)})`,
      ),
      rawInBatch(
        db,
        sql`INSERT INTO outbox (id, topic, payload, created_at) VALUES (${newId("evt")}, 'media.uploaded',
          json_object('mediaId', ${row.id}, 'ownerId', ${row.ownerId}, 'sha256', ${row.sha256}, 'size', ${row.size}), ${nowIso})`,
      ),
    ],
  };
}

export const isQuotaError = (error: unknown) => isConstraintError(error, QUOTA_CHECK);

export async function getOwned(db: Db, ownerId: string, id: string): Promise<Media> {
  const row = await db
    .select()
    .from(media)
    .where(and(eq(media.id, id), eq(media.ownerId, ownerId)))
    .get();
  if (!row) throw notFound("media");
  return row;
}

export interface MediaPatch {
  name?: string;
  folder?: string;
  tags?: string[];
}

export async function updateMedia(
  db: Db,
  ownerId: string,
  id: string,
  patch: MediaPatch,
  now: Date,
): Promise<Media> {
  await getOwned(db, ownerId, id);
  const nowIso = now.toISOString();
  const set: Partial<Media> = { updatedAt: nowIso };
  if (patch.name !== undefined) Object.assign(set, { name: patch.name, nameKey: patch.name.toLowerCase() });
  if (patch.folder !== undefined) set.folder = patch.folder;
  if (patch.tags !== undefined) set.tags = patch.tags;
  const mine = and(eq(media.id, id), eq(media.ownerId, ownerId));
  const statements: BatchItem<"sqlite">[] = [
    db.update(media).set(set).where(mine),
    bumpCacheVersion(db, ownerId),
  ];
  if (patch.tags !== undefined) {
    statements.push(
      rawInBatch(db, sql`DELETE FROM media_tags WHERE media_id = ${id} AND owner_id = ${ownerId}`),
    );
    statements.push(
      rawInBatch(
        db,
        sql`INSERT INTO media_tags (media_id, owner_id, tag) SELECT ${id}, ${ownerId}, value FROM json_each(${JSON.stringify(patch.tags)})
          WHERE EXISTS (SELECT 1 FROM media WHERE id = ${id} AND owner_id = ${ownerId})`,
      ),
    );
  }
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return getOwned(db, ownerId, id);
}

export async function setTrashed(
  db: Db,
  ownerId: string,
  id: string,
  trashed: boolean,
  now: Date,
): Promise<Media> {
  const row = await getOwned(db, ownerId, id);
  if ((row.trashedAt !== null) === trashed) return row;
  const nowIso = now.toISOString();
  await db.batch([
    db
      .update(media)
      .set({ trashedAt: trashed ? nowIso : null, updatedAt: nowIso })
      .where(and(eq(media.id, id), eq(media.ownerId, ownerId))),
    bumpCacheVersion(db, ownerId),
    rawInBatch(
      db,
      sql`INSERT INTO outbox (id, topic, payload, created_at) VALUES (${newId("evt")}, ${trashed ? "media.trashed" : "media.restored"},
        json_object('mediaId', ${id}, 'ownerId', ${ownerId}), ${nowIso})`,
    ),
  ]);
  return getOwned(db, ownerId, id);
}

/**
 * Deletes rows for good: quota and blob references go down, an audit row per file (name, sha256,
 * size, who, when), all in one batch; each decrement is conditional on the row still existing so a
 * concurrent purge of the same id can't count twice. Blobs left with no reference are then removed.
 */
export async function purgeMedia(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  ids: string[],
  now: Date,
  actor: { audit: AuditContext; reason: "user" | "retention" },
): Promise<number> {
  if (ids.length === 0) return 0;
  const nowIso = now.toISOString();
  const list = JSON.stringify(ids);
  const picked = sql`owner_id = ${ownerId} AND id IN (SELECT value FROM json_each(${list}))`;
  const shas = await db
    .selectDistinct({ sha256: media.sha256 })
    .from(media)
    .where(and(eq(media.ownerId, ownerId), inList(media.id, ids)))
    .all();
  const [, , , deleted] = await db.batch([
    rawInBatch(
      db,
      sql`UPDATE users SET
        used_bytes = used_bytes - (SELECT coalesce(sum(size), 0) FROM media WHERE ${picked}),
        used_files = used_files - (SELECT count(*) FROM media WHERE ${picked}),
        cache_version = cache_version + 1
        WHERE id = ${ownerId}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE blobs SET ref_count = ref_count - (SELECT count(*) FROM media m WHERE m.sha256 = blobs.sha256 AND m.owner_id = ${ownerId} AND m.id IN (SELECT value FROM json_each(${list})))
        WHERE sha256 IN (SELECT sha256 FROM media WHERE ${picked})`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO audit_log (id, actor_id, subject_id, action, target_type, target_id, detail, request_id, ip, user_agent, created_at)
        SELECT 'aud_' || lower(hex(randomblob(10))), ${actor.audit.actorId}, owner_id, 'media.purge', 'media', id,
          json_object('ownerId', owner_id, 'name', name, 'sha256', sha256, 'size', size, 'reason', ${actor.reason}),
          ${actor.audit.requestId}, ${actor.audit.ip}, ${actor.audit.userAgent}, ${nowIso}
        FROM media WHERE ${picked}`,
    ),
    rawInBatch(db, sql`DELETE FROM media WHERE ${picked}`),
    rawInBatch(
      db,
      sql`INSERT INTO outbox (id, topic, payload, created_at) VALUES (${newId("evt")}, 'media.purged',
        json_object('ownerId', ${ownerId}, 'mediaIds', json(${list})), ${nowIso})`,
    ),
  ]);
  await collectBlobs(
    db,
    bucket,
    shas.map((s) => s.sha256),
  );
  return changesOf(deleted) ?? ids.length;
}

/** Removes blob rows (and their R2 objects, thumbnails included) that nothing references any more. */
export async function collectBlobs(db: Db, bucket: R2Bucket, shas: string[]): Promise<void> {
  if (shas.length === 0) return;
  // The row goes first, conditionally: once it is gone no writer can take a reference on it (a new
  // write of the same bytes makes a row and an object of its own), so its object can go too.
  const gone = await db
    .delete(blobs)
    .where(and(inList(blobs.sha256, shas), eq(blobs.refCount, 0)))
    .returning({ sha256: blobs.sha256, objectKey: blobs.objectKey, thumb: blobs.thumbSha256 });
  if (gone.length === 0) return;
  await bucket.delete(gone.map(objectKeyOf));
  await deleteDerived(
    bucket,
    gone.map((g) => g.sha256),
  );
  const thumbs = gone.map((g) => g.thumb).filter((t): t is string => t !== null);
  if (thumbs.length) {
    await db.run(
      sql`UPDATE blobs SET ref_count = ref_count - 1 WHERE sha256 IN (SELECT value FROM json_each(${JSON.stringify(thumbs)})) AND ref_count > 0`,
    );
    await collectBlobs(db, bucket, thumbs);
  }
}
