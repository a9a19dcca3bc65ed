import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { blobs, type Media } from "../db/schema";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/crypto";
import { decodeImage, encodePng, type Rgba } from "../wasm/codecs";
import { blobObjectKey, newBlobKey, settleWrittenObject } from "./blob-store";
import { serveBlob } from "./serve";

/**
 * Thumbnails: decoded, box-downscaled to fit 256 px and encoded as PNG in the background
 * (`waitUntil` after upload, retried by the cron), stored as a blob of their own and recorded on the
 * source blob, so identical uploads share one. Only images up to THUMB_MAX_PIXELS (library.ts) are
 * ever marked pending, so decoding stays within the isolate's memory.
 */
export const THUMB_SIZE = 256;
const MAX_ATTEMPTS = 3;

/** 1×1 light-grey PNG: the answer while a thumbnail is pending or can't be made. */
const PLACEHOLDER = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/+F9PQAJYwPUqXKrSgAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

export function downscale(src: Rgba, max: number): Rgba {
  const scale = Math.min(1, max / Math.max(src.width, src.height));
  const w = Math.max(1, Math.round(src.width * scale));
  const h = Math.max(1, Math.round(src.height * scale));
  if (w === src.width && h === src.height) return src;
  const out = new Uint8ClampedArray(w * h * 4);
  const sx = src.width / w;
  const sy = src.height / h;
  const data = src.data;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * src.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) {
          const alpha = data[i + 3]!;
          r += data[i]! * alpha;
          g += data[i + 1]! * alpha;
          b += data[i + 2]! * alpha;
          a += alpha;
        }
      }
      const o = (y * w + x) * 4;
      const n = (y1 - y0) * (x1 - x0);
      if (a > 0) {
        out[o] = r / a;
        out[o + 1] = g / a;
        out[o + 2] = b / a;
      }
      out[o + 3] = a / n;
    }
  }
  return { data: out, width: w, height: h };
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
    const image = await decodeImage(claim.mime, await object.arrayBuffer());
    const png = new Uint8Array(await encodePng(downscale(image, THUMB_SIZE)));
    const thumbSha = await sha256Hex(png);
    // Like every write of bytes: an object of its own, dropped after the batch if the thumbnail's
    // content was already stored (or the batch did not take).
    const written = newBlobKey(thumbSha);
    await bucket.put(written, png, { sha256: thumbSha });
    await db.batch([
      rawInBatch(
        db,
        sql`INSERT INTO blobs (sha256, object_key, size, mime, ref_count, thumb_status, created_at)
          SELECT ${thumbSha}, ${written}, ${png.length}, 'image/png', 1, 'none', ${nowIso}
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
  const cutoff = new Date(now.getTime() - 60_000).toISOString();
  const pending = await db
    .select({ sha256: blobs.sha256 })
    .from(blobs)
    .where(
      and(
        eq(blobs.thumbStatus, "pending"),
        lt(blobs.thumbAttempts, MAX_ATTEMPTS),
        lt(blobs.createdAt, cutoff),
      ),
    )
    .limit(limit)
    .all();
  for (const row of pending) await generateThumbnail(db, bucket, row.sha256, now.toISOString());
}

export async function thumbnailResponse(
  db: Db,
  bucket: R2Bucket,
  row: Media,
  ifNoneMatch?: string,
): Promise<Response> {
  if (row.kind !== "image") throw new ApiError(404, "no_thumbnail", "Only images have thumbnails.");
  const blob = await db.select().from(blobs).where(eq(blobs.sha256, row.sha256)).get();
  const thumb =
    blob?.thumbStatus === "ready" && blob.thumbSha256
      ? await db.select({ size: blobs.size }).from(blobs).where(eq(blobs.sha256, blob.thumbSha256)).get()
      : undefined;
  if (blob?.thumbSha256 && thumb) {
    return serveBlob(
      db,
      bucket,
      { sha256: blob.thumbSha256, size: thumb.size, mime: "image/png", name: `${row.name}.thumbnail.png` },
      { ifNoneMatch, cache: "private, max-age=86400" },
    );
  }
  const pending = blob?.thumbStatus === "pending";
  return new Response(PLACEHOLDER, {
    status: pending ? 202 : 200,
    headers: {
      "Content-Type": "image/png",
      "Cache-Control": "no-store",
      "X-Thumbnail": pending ? "pending" : "unavailable",
      ...(pending ? { "Retry-After": "2" } : {}),
    },
  });
}
