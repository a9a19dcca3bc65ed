import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { IdempotencyHandle } from "../app-env";
import { abortUnless, isBatchAbort } from "../db/batch";
import { type Db, isConstraintError, rawInBatch } from "../db/client";
import { blobs, type Media, media, users } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { blobKey } from "./blob-store";
import type { MediaKind } from "./sniff";

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
  contentUrl: string;
  thumbnailUrl?: string;
}

const THUMBNAILABLE = new Set(["image/png", "image/jpeg", "image/webp"]);
/** Decoding is bounded: RGBA of this many pixels must fit comfortably in the isolate's 128 MB. */
export const THUMB_MAX_PIXELS = 12_000_000;
export const canThumbnail = (row: { mime: string; width: number | null; height: number | null }) =>
  THUMBNAILABLE.has(row.mime) && (row.width ?? 0) * (row.height ?? 0) <= THUMB_MAX_PIXELS;

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
  };
  if (row.width !== null) out.width = row.width;
  if (row.height !== null) out.height = row.height;
  if (row.trashedAt !== null) out.trashedAt = row.trashedAt;
  if (row.kind === "image") out.thumbnailUrl = `/api/v1/media/${row.id}/thumbnail`;
  return out;
}

const bumpCache = (db: Db, ownerId: string) =>
  rawInBatch(db, sql`UPDATE users SET cache_version = cache_version + 1 WHERE id = ${ownerId}`);

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
  };
  const thumb = canThumbnail(input) ? "pending" : "none";
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
        sql`INSERT INTO blobs (sha256, size, mime, ref_count, thumb_status, created_at)
          VALUES (${input.sha256}, ${input.size}, ${input.mime}, 1, ${thumb}, ${nowIso})
          ON CONFLICT (sha256) DO UPDATE SET ref_count = ref_count + 1`,
      ),
      db.insert(media).values(row),
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

/** Upload commit: the insert statements plus the idempotent answer, in one batch. All or nothing. */
export async function commitMedia(
  db: Db,
  input: NewMedia,
  now: Date,
  idempotency: IdempotencyHandle | null,
): Promise<Media> {
  const { row, statements } = mediaInsertStatements(db, input, now);
  if (idempotency) statements.push(idempotency.completeInBatch(201, { media: toPublic(row) }));
  try {
    await db.batch(statements);
  } catch (error) {
    if (isQuotaError(error))
      throw new ApiError(413, "quota_exceeded", "This upload would take you over your storage quota.");
    throw error;
  }
  return row;
}

/** After a failed commit: drop bytes this upload wrote unless another row now references them. */
export async function discardBlobIfUnreferenced(db: Db, bucket: R2Bucket, sha256: string): Promise<void> {
  const row = await db.select({ refCount: blobs.refCount }).from(blobs).where(eq(blobs.sha256, sha256)).get();
  if (!row || row.refCount === 0) await bucket.delete(blobKey(sha256));
}

export async function getOwned(db: Db, ownerId: string, id: string): Promise<Media> {
  const row = await db
    .select()
    .from(media)
    .where(and(eq(media.id, id), eq(media.ownerId, ownerId)))
    .get();
  if (!row) throw notFound("media");
  return row;
}

// ------------------------------------------------------------------------------------ listing

export const SORTS = ["name", "-name", "date", "-date", "size", "-size"] as const;
export type Sort = (typeof SORTS)[number];

export interface ListQuery {
  q?: string;
  type?: string;
  tag?: string;
  folder?: string;
  subfolders: boolean;
  from?: string;
  to?: string;
  minSize?: number;
  maxSize?: number;
  sort: Sort;
  trashed: boolean;
  limit: number;
  cursor?: string;
}

/** Free text → an FTS5 query of quoted prefix terms (no operators from user input). */
export function ftsQuery(q: string): string | null {
  const terms = q
    .normalize("NFC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 16);
  return terms.length ? terms.map((t) => `"${t}"*`).join(" ") : null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function folderCondition(folder: string, subfolders: boolean): SQL | undefined {
  if (!subfolders) return eq(media.folder, folder);
  if (folder === "/") return undefined;
  return or(eq(media.folder, folder), sql`${media.folder} LIKE ${`${escapeLike(folder)}/%`} ESCAPE '\\'`);
}

export async function listMedia(db: Db, ownerId: string, query: ListQuery) {
  const conditions: (SQL | undefined)[] = [
    eq(media.ownerId, ownerId),
    query.trashed ? isNotNull(media.trashedAt) : isNull(media.trashedAt),
  ];
  if (query.type) {
    if (query.type.endsWith("/*"))
      conditions.push(sql`${media.mime} LIKE ${`${escapeLike(query.type.slice(0, -1))}%`} ESCAPE '\\'`);
    else if (query.type.includes("/")) conditions.push(eq(media.mime, query.type));
    else conditions.push(eq(media.kind, query.type as MediaKind));
  }
  if (query.tag) {
    conditions.push(
      sql`EXISTS (SELECT 1 FROM media_tags t WHERE t.media_id = ${media.id} AND t.owner_id = ${ownerId} AND t.tag = ${query.tag})`,
    );
  }
  if (query.folder) conditions.push(folderCondition(query.folder, query.subfolders));
  if (query.from) conditions.push(gte(media.createdAt, query.from));
  if (query.to) conditions.push(lt(media.createdAt, query.to));
  if (query.minSize !== undefined) conditions.push(gte(media.size, query.minSize));
  if (query.maxSize !== undefined) conditions.push(lte(media.size, query.maxSize));
  if (query.q) {
    const match = ftsQuery(query.q);
    if (match)
      conditions.push(sql`media.rowid IN (SELECT rowid FROM media_fts WHERE media_fts MATCH ${match})`);
  }

  const descending = query.sort.startsWith("-");
  const field = query.sort.replace("-", "") as "name" | "date" | "size";
  const column = field === "name" ? media.nameKey : field === "size" ? media.size : media.createdAt;
  const cursor = decodeCursor(query.cursor);
  if (cursor) {
    if ((field === "size") !== (typeof cursor.after === "number"))
      throw new ApiError(400, "invalid_cursor", "The cursor belongs to a different sort order.");
    const cmp = descending ? lt : gt;
    conditions.push(or(cmp(column, cursor.after), and(eq(column, cursor.after), cmp(media.id, cursor.id))));
  }
  const order = descending ? [desc(column), desc(media.id)] : [asc(column), asc(media.id)];
  const rows = await db
    .select()
    .from(media)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(query.limit + 1)
    .all();
  const page = toPage(rows, query.limit, (r) =>
    field === "name" ? r.nameKey : field === "size" ? r.size : r.createdAt,
  );
  return { items: page.items.map(toPublic), nextCursor: page.nextCursor };
}

// ------------------------------------------------------------------------------------ changes

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
  const statements: BatchItem<"sqlite">[] = [db.update(media).set(set).where(mine), bumpCache(db, ownerId)];
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
    bumpCache(db, ownerId),
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
  actor: { actorId: string | null; reason: "user" | "retention" },
): Promise<number> {
  if (ids.length === 0) return 0;
  const nowIso = now.toISOString();
  const list = JSON.stringify(ids);
  const picked = sql`owner_id = ${ownerId} AND id IN (SELECT value FROM json_each(${list}))`;
  const shas = await db
    .selectDistinct({ sha256: media.sha256 })
    .from(media)
    .where(and(eq(media.ownerId, ownerId), inArray(media.id, ids)))
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
      sql`INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, created_at)
        SELECT 'aud_' || lower(hex(randomblob(10))), ${actor.actorId}, 'media.purge', 'media', id,
          json_object('ownerId', owner_id, 'name', name, 'sha256', sha256, 'size', size, 'reason', ${actor.reason}), ${nowIso}
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
  return (deleted as unknown as D1Result).meta?.changes ?? ids.length;
}

/** Removes blob rows (and their R2 objects, thumbnails included) that no row references any more. */
export async function collectBlobs(db: Db, bucket: R2Bucket, shas: string[]): Promise<void> {
  if (shas.length === 0) return;
  const gone = await db
    .delete(blobs)
    .where(and(inArray(blobs.sha256, shas), eq(blobs.refCount, 0)))
    .returning({ sha256: blobs.sha256, thumb: blobs.thumbSha256 });
  if (gone.length === 0) return;
  await bucket.delete(gone.map((g) => blobKey(g.sha256)));
  const thumbs = gone.map((g) => g.thumb).filter((t): t is string => t !== null);
  if (thumbs.length) {
    await db.run(
      sql`UPDATE blobs SET ref_count = ref_count - 1 WHERE sha256 IN (SELECT value FROM json_each(${JSON.stringify(thumbs)})) AND ref_count > 0`,
    );
    await collectBlobs(db, bucket, thumbs);
  }
}

// ------------------------------------------------------------------------------------ bulk

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
    .where(and(eq(media.ownerId, ownerId), inArray(media.id, ids)))
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
      bumpCache(db, ownerId),
    ]);
  } catch (error) {
    if (isBatchAbort(error, NOT_OWNED)) throw notFound("media (one or more ids)");
    throw error;
  }
  return ids.length;
}

// ------------------------------------------------------------------------------------ folders

/** Moves a folder (and everything under it) to a new path in one statement; rename is a move. */
export async function moveFolder(
  db: Db,
  ownerId: string,
  from: string,
  to: string,
  now: Date,
): Promise<number> {
  if (from === "/") throw new ApiError(422, "invalid_move", "The root folder can't be moved.");
  if (to === from || to.startsWith(`${from}/`))
    throw new ApiError(422, "invalid_move", "A folder can't be moved into itself.");
  const inside = sql`owner_id = ${ownerId} AND (folder = ${from} OR folder LIKE ${`${escapeLike(from)}/%`} ESCAPE '\\')`;
  const [moved] = await db.batch([
    rawInBatch(
      db,
      sql`UPDATE media SET folder = ${to} || substr(folder, ${from.length + 1}), updated_at = ${now.toISOString()} WHERE ${inside}`,
    ),
    bumpCache(db, ownerId),
  ]);
  const changes = (moved as unknown as D1Result).meta?.changes ?? 0;
  if (changes === 0) throw notFound("folder");
  return changes;
}

export interface FolderNode {
  path: string;
  name: string;
  files: number;
  bytes: number;
  /** Including every sub-folder. */
  totalFiles: number;
  totalBytes: number;
  children: FolderNode[];
}

export async function folderTree(db: Db, ownerId: string): Promise<FolderNode> {
  const rows = await db
    .select({
      folder: media.folder,
      files: sql<number>`count(*)`,
      bytes: sql<number>`coalesce(sum(${media.size}), 0)`,
    })
    .from(media)
    .where(and(eq(media.ownerId, ownerId), isNull(media.trashedAt)))
    .groupBy(media.folder)
    .all();
  const root: FolderNode = {
    path: "/",
    name: "",
    files: 0,
    bytes: 0,
    totalFiles: 0,
    totalBytes: 0,
    children: [],
  };
  const byPath = new Map([["/", root]]);
  const nodeFor = (path: string): FolderNode => {
    const hit = byPath.get(path);
    if (hit) return hit;
    const cut = path.lastIndexOf("/");
    const parent = nodeFor(cut === 0 ? "/" : path.slice(0, cut));
    const node: FolderNode = {
      path,
      name: path.slice(cut + 1),
      files: 0,
      bytes: 0,
      totalFiles: 0,
      totalBytes: 0,
      children: [],
    };
    parent.children.push(node);
    byPath.set(path, node);
    return node;
  };
  for (const row of rows) {
    const node = nodeFor(row.folder);
    node.files = row.files;
    node.bytes = row.bytes;
  }
  const total = (node: FolderNode): void => {
    node.children.sort((a, b) => a.name.localeCompare(b.name));
    node.totalFiles = node.files;
    node.totalBytes = node.bytes;
    for (const child of node.children) {
      total(child);
      node.totalFiles += child.totalFiles;
      node.totalBytes += child.totalBytes;
    }
  };
  total(root);
  return root;
}

// ------------------------------------------------------------------------------------ stats

export async function mediaStats(db: Db, ownerId: string) {
  const live = and(eq(media.ownerId, ownerId), isNull(media.trashedAt));
  const topFolder = sql<string>`CASE WHEN ${media.folder} = '/' THEN '/' WHEN instr(substr(${media.folder}, 2), '/') = 0 THEN ${media.folder}
    ELSE substr(${media.folder}, 1, instr(substr(${media.folder}, 2), '/')) END`;
  const count = sql<number>`count(*)`;
  const bytes = sql<number>`coalesce(sum(${media.size}), 0)`;
  const [byKind, byFolder, trash, user] = await Promise.all([
    db.select({ kind: media.kind, files: count, bytes }).from(media).where(live).groupBy(media.kind).all(),
    db.select({ folder: topFolder, files: count, bytes }).from(media).where(live).groupBy(topFolder).all(),
    db
      .select({ files: count, bytes })
      .from(media)
      .where(and(eq(media.ownerId, ownerId), isNotNull(media.trashedAt)))
      .get(),
    db.select().from(users).where(eq(users.id, ownerId)).get(),
  ]);
  if (!user) throw notFound("user");
  return {
    files: byKind.reduce((n, r) => n + r.files, 0),
    bytes: byKind.reduce((n, r) => n + r.bytes, 0),
    byKind: byKind.sort((a, b) => a.kind.localeCompare(b.kind)),
    byFolder: byFolder.sort((a, b) => a.folder.localeCompare(b.folder)),
    trash: { files: trash?.files ?? 0, bytes: trash?.bytes ?? 0 },
    quota: {
      bytes: user.quotaBytes,
      files: user.quotaFiles,
      usedBytes: user.usedBytes,
      usedFiles: user.usedFiles,
    },
  };
}
