import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { IdempotencyHandle } from "../app-env";
import type { Db } from "../db/client";
import { inList } from "../db/in-list";
import { type MediaUpload, mediaUploadParts, mediaUploads } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { isoAfter } from "../lib/clock";
import { newId } from "../lib/ids";
import { copyObject, newBlobKey } from "./blob-store";
import { type Committed, commitUpload } from "./commit";
import type { OnConflict } from "./conflicts";
import { Inspector, inspectedFields } from "./ingest";
import { normalizeFileName, normalizeFolder, normalizeTags } from "./names";
import { quotaExceeded, quotaLeft, reservedBytes } from "./quota";
import type { UploadLimits } from "./upload";

/**
 * Resumable uploads for big files, on top of R2 multipart uploads at `uploads/<id>`:
 * create → PUT parts (any order, retry a part freely) → complete (the assembled object is checked
 * exactly like a single upload, hashed, and copied to an object of its own) or abort. Parts are at least
 * 5 MiB except the last, all the same size (R2's rule). Abandoned uploads are aborted on the cron.
 * A part's size is reserved against the storage quota before its bytes are stored (see
 * `reservedBytes`), and a user holds at most MAX_OPEN_UPLOADS open uploads.
 */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 100 * 1024 * 1024;
export const MAX_PARTS = 10_000;
/** Open uploads one user may hold at once (each is an R2 multipart upload and a quota reservation). */
export const MAX_OPEN_UPLOADS = 10;
const uploadKey = (id: string) => `uploads/${id}`;

export function publicUpload(row: MediaUpload) {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    tags: row.tags,
    onConflict: row.onConflict,
    status: row.status,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    minPartSize: MIN_PART_BYTES,
    maxPartSize: MAX_PART_BYTES,
    maxParts: MAX_PARTS,
  };
}

export async function createUpload(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  input: { name: string; folder?: string; tags?: string[]; onConflict?: OnConflict },
  now: Date,
  ttlSeconds: number,
): Promise<MediaUpload> {
  const name = normalizeFileName(input.name);
  const folder = normalizeFolder(input.folder ?? "/");
  const tags = normalizeTags(input.tags ?? []);
  await quotaLeft(db, ownerId, now);
  const id = newId("upl");
  const r2 = await bucket.createMultipartUpload(uploadKey(id));
  const nowIso = now.toISOString();
  const row: MediaUpload = {
    id,
    ownerId,
    r2UploadId: r2.uploadId,
    name,
    folder,
    tags,
    onConflict: input.onConflict ?? "rename",
    status: "open",
    createdAt: nowIso,
    expiresAt: isoAfter(now, ttlSeconds),
  };
  // The count and the insert are one statement, so parallel creates can't pass the cap together.
  const inserted = await db.run(
    sql`INSERT INTO media_uploads (id, owner_id, r2_upload_id, name, folder, tags, on_conflict, status, created_at, expires_at)
      SELECT ${id}, ${ownerId}, ${row.r2UploadId}, ${name}, ${folder}, ${JSON.stringify(tags)}, ${row.onConflict}, 'open', ${nowIso}, ${row.expiresAt}
      WHERE (SELECT count(*) FROM media_uploads WHERE owner_id = ${ownerId}
        AND status IN ('open', 'completing') AND expires_at > ${nowIso}) < ${MAX_OPEN_UPLOADS}`,
  );
  if (inserted.meta.changes !== 1) {
    await r2.abort().catch(() => {});
    throw new ApiError(
      409,
      "too_many_uploads",
      `You have ${MAX_OPEN_UPLOADS} open uploads; complete or abort one first.`,
    );
  }
  return row;
}

async function openUpload(db: Db, ownerId: string, id: string, now: Date): Promise<MediaUpload> {
  const row = await db
    .select()
    .from(mediaUploads)
    .where(and(eq(mediaUploads.id, id), eq(mediaUploads.ownerId, ownerId)))
    .get();
  if (!row || row.status === "aborted" || row.expiresAt <= now.toISOString()) throw notFound("upload");
  if (row.status !== "open") throw new ApiError(409, "upload_not_open", `This upload is ${row.status}.`);
  return row;
}

export async function uploadPart(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  input: {
    id: string;
    partNumber: number;
    /** A request's stream, or bytes already in memory (a tus upload's buffered part). */
    body: ReadableStream | Uint8Array | null;
    contentLength: number | null;
    maxTotal: number;
  },
  now: Date,
) {
  const row = await openUpload(db, ownerId, input.id, now);
  if (input.contentLength === null)
    throw new ApiError(411, "length_required", "Send each part with a Content-Length header.");
  if (input.contentLength > MAX_PART_BYTES)
    throw new ApiError(413, "part_too_large", `Parts are limited to ${MAX_PART_BYTES} bytes.`);
  if (input.contentLength === 0 || !input.body)
    throw new ApiError(422, "empty_part", "A part can't be empty.");
  const other = await db
    .select({ total: sql<number>`coalesce(sum(${mediaUploadParts.size}), 0)` })
    .from(mediaUploadParts)
    .where(
      and(eq(mediaUploadParts.uploadId, row.id), sql`${mediaUploadParts.partNumber} <> ${input.partNumber}`),
    )
    .get();
  if ((other?.total ?? 0) + input.contentLength > input.maxTotal)
    throw new ApiError(413, "file_too_large", `Files are limited to ${input.maxTotal} bytes.`);
  const nowIso = now.toISOString();
  // Reserve the part's size before storing a byte: the insert happens only while used + reserved
  // (other parts, this one's earlier try excluded) + this part fits the quota. `etag` stays empty
  // until R2 has the bytes.
  const reserved = await db.run(
    sql`INSERT INTO media_upload_parts (upload_id, part_number, etag, size)
      SELECT ${row.id}, ${input.partNumber}, '', ${input.contentLength}
      WHERE (SELECT used_bytes FROM users WHERE id = ${ownerId}) + ${input.contentLength}
        + ${reservedBytes(ownerId, nowIso)}
        - coalesce((SELECT size FROM media_upload_parts WHERE upload_id = ${row.id} AND part_number = ${input.partNumber}), 0)
        <= (SELECT quota_bytes FROM users WHERE id = ${ownerId})
      ON CONFLICT (upload_id, part_number) DO UPDATE SET etag = '', size = excluded.size`,
  );
  if (reserved.meta.changes !== 1) throw quotaExceeded("This part would take you over your storage quota.");
  const thisPart = and(
    eq(mediaUploadParts.uploadId, row.id),
    eq(mediaUploadParts.partNumber, input.partNumber),
  );
  const upload = bucket.resumeMultipartUpload(uploadKey(row.id), row.r2UploadId);
  let part: R2UploadedPart;
  try {
    part = await upload.uploadPart(input.partNumber, input.body);
  } catch {
    // Whatever R2 now holds for this number is unknown: the part must be sent again.
    await db.delete(mediaUploadParts).where(thisPart);
    throw new ApiError(
      400,
      "part_upload_failed",
      "The part could not be stored (interrupted, or its length was wrong).",
    );
  }
  await db.update(mediaUploadParts).set({ etag: part.etag }).where(thisPart);
  return { partNumber: input.partNumber, etag: part.etag, size: input.contentLength };
}

export async function completeUpload(
  deps: { db: Db; bucket: R2Bucket; now: Date; idempotency: IdempotencyHandle | null },
  ownerId: string,
  id: string,
  limits: UploadLimits & { maxTotal: number },
): Promise<Committed> {
  const { db, bucket, now } = deps;
  const row = await openUpload(db, ownerId, id, now);
  const claimed = await db
    .update(mediaUploads)
    .set({ status: "completing" })
    .where(and(eq(mediaUploads.id, id), eq(mediaUploads.status, "open")))
    .returning({ id: mediaUploads.id });
  if (claimed.length === 0)
    throw new ApiError(409, "upload_not_open", "This upload is already being completed.");
  const parts = await db
    .select()
    .from(mediaUploadParts)
    .where(eq(mediaUploadParts.uploadId, id))
    .orderBy(asc(mediaUploadParts.partNumber))
    .all();
  const reopen = () => db.update(mediaUploads).set({ status: "open" }).where(eq(mediaUploads.id, id));
  if (parts.length === 0) {
    await reopen();
    throw new ApiError(422, "no_parts", "Upload at least one part before completing.");
  }
  const unfinished = parts.find((p) => p.etag === "");
  if (unfinished) {
    await reopen();
    throw new ApiError(
      409,
      "part_incomplete",
      `Part ${unfinished.partNumber} is still being uploaded, or its upload failed; send it again.`,
    );
  }
  const key = uploadKey(id);
  try {
    await bucket
      .resumeMultipartUpload(key, row.r2UploadId)
      .complete(parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })));
  } catch (error) {
    await reopen();
    throw new ApiError(
      422,
      "invalid_parts",
      `R2 refused to assemble the parts (every part but the last must be the same size, at least ${MIN_PART_BYTES} bytes): ${error instanceof Error ? error.message : error}`,
    );
  }
  const finishAs = async (status: "done" | "aborted") => {
    await db.batch([
      db.update(mediaUploads).set({ status }).where(eq(mediaUploads.id, id)),
      db.delete(mediaUploadParts).where(eq(mediaUploadParts.uploadId, id)),
    ]);
  };

  // The parts are one object now: their reservation ends here, and the file's own size is
  // checked against the quota like any upload's.
  await db.delete(mediaUploadParts).where(eq(mediaUploadParts.uploadId, id));

  let written: string | null = null;
  try {
    const left = await quotaLeft(db, ownerId, now);
    const object = await bucket.get(key);
    if (!object) throw new ApiError(409, "upload_missing", "The assembled upload is missing; start again.");
    const inspector = new Inspector(
      row.name,
      { ...limits, maxBytes: limits.maxTotal, quotaBytesLeft: left.bytes },
      null,
    );
    const reader = object.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await inspector.write(value);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
    const file = await inspector.close();
    written = newBlobKey(file.sha256);
    await copyObject(bucket, key, written, file.size, file.sha256);
    await bucket.delete(key);
    // From here the commit settles the object itself; the catch below is for what failed before it.
    const objectKey = written;
    written = null;
    const committed = await commitUpload(
      deps,
      {
        ownerId,
        name: row.name,
        folder: row.folder,
        tags: row.tags,
        ...inspectedFields(file),
        objectKey,
      },
      row.onConflict,
    );
    await finishAs("done");
    return committed;
  } catch (error) {
    await bucket.delete(key);
    // Not committed: nothing points at the object written for this upload.
    if (written) await bucket.delete(written);
    await finishAs("aborted");
    throw error;
  }
}

export async function abortUpload(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  id: string,
  now: Date,
): Promise<void> {
  const row = await openUpload(db, ownerId, id, now);
  await bucket
    .resumeMultipartUpload(uploadKey(id), row.r2UploadId)
    .abort()
    .catch(() => {});
  await db.batch([
    db.update(mediaUploads).set({ status: "aborted" }).where(eq(mediaUploads.id, id)),
    db.delete(mediaUploadParts).where(eq(mediaUploadParts.uploadId, id)),
  ]);
}

/** Cron: abort uploads left open past their expiry and forget finished ones. */
export async function cleanupUploads(db: Db, bucket: R2Bucket, now: Date, limit = 100): Promise<number> {
  const nowIso = now.toISOString();
  const stale = await db
    .select()
    .from(mediaUploads)
    .where(and(inArray(mediaUploads.status, ["open", "completing"]), lt(mediaUploads.expiresAt, nowIso)))
    .limit(limit)
    .all();
  for (const row of stale) {
    await bucket
      .resumeMultipartUpload(uploadKey(row.id), row.r2UploadId)
      .abort()
      .catch(() => {});
    await bucket.delete(uploadKey(row.id));
  }
  if (stale.length)
    await db.delete(mediaUploads).where(
      inList(
        mediaUploads.id,
        stale.map((r) => r.id),
      ),
    );
  await db
    .delete(mediaUploads)
    .where(and(inArray(mediaUploads.status, ["done", "aborted"]), lt(mediaUploads.expiresAt, nowIso)));
  return stale.length;
}
