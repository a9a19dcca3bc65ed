import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { blobs, type Media } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import { blobObjectKey, newBlobKey, settleWrittenObject, stalePendingBlobs } from "./blob-store";
import { typeIcon } from "./images/icons";
import { layout, render, sourceInfo } from "./images/pipeline";
import { isRenderable, SVG } from "./images/sources";
import { serveBlob } from "./serve";

/**
 * Thumbnails: WebP, fitting 256 px, made in the background (`waitUntil` after upload or on first
 * request, retried by the cron), stored as a blob of their own and recorded on the source blob, so
 * identical uploads share one. Rasters are decoded and downscaled (never enlarged); SVG is drawn by
 * resvg at thumbnail size. Files we can't draw get an icon of their type.
 */
export const THUMB_SIZE = 256;
const THUMB_QUALITY = 80;
const MAX_ATTEMPTS = 3;

/** 1×1 light-grey PNG: the answer while a thumbnail is pending. */
const PLACEHOLDER = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/+F9PQAJYwPUqXKrSgAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

/** The WebP thumbnail of a file's bytes. */
export async function makeThumbnail(mime: string, bytes: Uint8Array): Promise<Uint8Array> {
  const source = await sourceInfo(mime, bytes);
  const { size } = source;
  const fits = mime !== SVG && size.width <= THUMB_SIZE && size.height <= THUMB_SIZE;
  const plan = layout(
    size,
    fits ? { fit: "inside" } : { width: THUMB_SIZE, height: THUMB_SIZE, fit: "inside" },
  );
  return render({ mime, bytes, source, layout: plan, format: "webp", quality: THUMB_QUALITY });
}

/** Makes the thumbnail of one blob if it is still pending. Safe to run twice (same bytes, conditional updates). */
export async function generateThumbnail(
  db: Db,
  bucket: R2Bucket,
  sha256: string,
  nowIso = new Date().toISOString(),
) {
  const claimed = await db
    .update(blobs)
    .set({ thumbAttempts: sql`${blobs.thumbAttempts} + 1` })
    .where(
      and(eq(blobs.sha256, sha256), eq(blobs.thumbStatus, "pending"), lt(blobs.thumbAttempts, MAX_ATTEMPTS)),
    )
    .returning({ mime: blobs.mime, attempts: blobs.thumbAttempts });
  const claim = claimed[0];
  if (!claim) return;
  try {
    const source = await blobObjectKey(db, sha256);
    const object = source && (await bucket.get(source));
    if (!object) throw new Error("source blob missing");
    const thumb = await makeThumbnail(claim.mime, new Uint8Array(await object.arrayBuffer()));
    const thumbSha = await sha256Hex(thumb);
    // Like every write of bytes: an object of its own, dropped after the batch if the thumbnail's
    // content was already stored (or the batch did not take).
    const written = newBlobKey(thumbSha);
    await bucket.put(written, thumb, { sha256: thumbSha });
    await db.batch([
      rawInBatch(
        db,
        sql`INSERT INTO blobs (sha256, object_key, size, mime, ref_count, thumb_status, created_at)
          SELECT ${thumbSha}, ${written}, ${thumb.length}, 'image/webp', 1, 'none', ${nowIso}
          WHERE EXISTS (SELECT 1 FROM blobs WHERE sha256 = ${sha256} AND thumb_status = 'pending')
          ON CONFLICT (sha256) DO UPDATE SET ref_count = ref_count + 1`,
      ),
      db
        .update(blobs)
        .set({ thumbStatus: "ready", thumbSha256: thumbSha })
        .where(and(eq(blobs.sha256, sha256), eq(blobs.thumbStatus, "pending"))),
    ]);
    await settleWrittenObject(db, bucket, thumbSha, written);
  } catch (error) {
    if (claim.attempts >= MAX_ATTEMPTS)
      await db.update(blobs).set({ thumbStatus: "failed" }).where(eq(blobs.sha256, sha256));
    console.log(
      JSON.stringify({
        level: "warn",
        event: "thumbnail_failed",
        sha256,
        attempts: claim.attempts,
        error: String(error),
      }),
    );
  }
}

/** Cron: retry thumbnails still pending a minute after upload. */
export async function retryThumbnails(db: Db, bucket: R2Bucket, now: Date, limit = 5): Promise<void> {
  const task = { status: blobs.thumbStatus, attempts: blobs.thumbAttempts, maxAttempts: MAX_ATTEMPTS };
  for (const sha256 of await stalePendingBlobs(db, task, now, limit))
    await generateThumbnail(db, bucket, sha256, now.toISOString());
}

export interface ThumbnailAnswer {
  response: Response;
  /** Set when the thumbnail should be made now (hand it to `waitUntil`). */
  generate: string | null;
}

/**
 * The thumbnail, an icon of the file's type when it can't have one, or a placeholder (202) while
 * it is being made. A drawable file whose thumbnail was never asked for (uploaded before its type
 * had thumbnails, or made by another service) is marked pending here and made in the background.
 */
export async function thumbnailResponse(
  db: Db,
  bucket: R2Bucket,
  row: Media,
  ifNoneMatch?: string,
): Promise<ThumbnailAnswer> {
  const blob = isRenderable(row)
    ? await db.select().from(blobs).where(eq(blobs.sha256, row.sha256)).get()
    : undefined;
  const thumb =
    blob?.thumbStatus === "ready" && blob.thumbSha256
      ? await db
          .select({ size: blobs.size, mime: blobs.mime })
          .from(blobs)
          .where(eq(blobs.sha256, blob.thumbSha256))
          .get()
      : undefined;
  if (blob?.thumbSha256 && thumb) {
    const response = await serveBlob(
      db,
      bucket,
      { sha256: blob.thumbSha256, size: thumb.size, mime: thumb.mime, name: `${row.name}.thumbnail` },
      { ifNoneMatch, cache: "private, max-age=86400" },
    );
    return { response, generate: null };
  }
  let pending = blob?.thumbStatus === "pending";
  if (blob?.thumbStatus === "none") {
    const marked = await db
      .update(blobs)
      .set({ thumbStatus: "pending" })
      .where(and(eq(blobs.sha256, row.sha256), eq(blobs.thumbStatus, "none")))
      .returning({ sha256: blobs.sha256 });
    pending = marked.length > 0;
  }
  if (pending) {
    const response = new Response(PLACEHOLDER, {
      status: 202,
      headers: {
        "Content-Type": "image/png",
        "Cache-Control": "no-store",
        "X-Thumbnail": "pending",
        "Retry-After": "2",
      },
    });
    return { response, generate: row.sha256 };
  }
  return { response: iconResponse(row), generate: null };
}

function iconResponse(row: Media): Response {
  return new Response(typeIcon(row.name, row.kind), {
    headers: {
      "Content-Type": "image/svg+xml",
      "Cache-Control": "private, max-age=86400",
      "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
      "X-Content-Type-Options": "nosniff",
      "X-Thumbnail": "icon",
    },
  });
}
