import { and, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inList } from "../../db/in-list";
import { blobs, media } from "../../db/schema";
import { decodeImage } from "../../wasm/codecs";
import { blobObjectKey, stalePendingBlobs } from "../blob-store";
import { DECODE_MAX_PIXELS, isDecodable } from "../images/sources";
import { colourSignature } from "./colour";
import { perceptualHash, pixelHash } from "./hash";
import { FINGERPRINT_ATTEMPTS, FINGERPRINT_VERSION, FINGERPRINTED_TYPES } from "./types";

/**
 * Fingerprints are a property of the bytes, so they live on the blob row (like thumbnails): made
 * once per distinct file, in the background after an upload, by the organizer for files it needs
 * them for, and by the backfill job for a whole library.
 */

/** Which files get fingerprints: rasters the Worker decodes whole. */
export const wantsFingerprint = isDecodable;

/**
 * SQL over `blobs`: fingerprints still to make — never made (with attempts left), or made by an
 * older FINGERPRINT_VERSION (whose pHashes are not comparable with today's).
 */
const wantsFingerprintsMade: SQL = or(
  and(
    inList(blobs.fingerprintStatus, ["none", "pending"]),
    lt(blobs.fingerprintAttempts, FINGERPRINT_ATTEMPTS),
  ),
  and(eq(blobs.fingerprintStatus, "ready"), lt(blobs.fingerprintVersion, FINGERPRINT_VERSION)),
)!;

/** SQL over `media` joined to `blobs`: a decodable image whose blob still lacks fingerprints it can get. */
export const lacksFingerprint: SQL = and(
  inList(media.mime, FINGERPRINTED_TYPES),
  sql`coalesce(${media.width}, 0) * coalesce(${media.height}, 0) <= ${DECODE_MAX_PIXELS}`,
  wantsFingerprintsMade,
)!;

/** Blobs (their ids) of files matching `scope` that lack fingerprints, at most `limit`. */
export async function unfingerprinted(db: Db, scope: SQL, limit: number): Promise<string[]> {
  const rows = await db
    .selectDistinct({ sha256: blobs.sha256 })
    .from(media)
    .innerJoin(blobs, eq(blobs.sha256, media.sha256))
    .where(and(scope, lacksFingerprint))
    .limit(limit)
    .all();
  return rows.map((r) => r.sha256);
}

/** How many blobs of files matching `scope` lack fingerprints. */
export async function countUnfingerprinted(db: Db, scope: SQL): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(DISTINCT ${blobs.sha256})` })
    .from(media)
    .innerJoin(blobs, eq(blobs.sha256, media.sha256))
    .where(and(scope, lacksFingerprint))
    .get();
  return row?.n ?? 0;
}

/**
 * Fingerprints blobs of files matching `scope` until none lack them or `budgetMs` of wall time is
 * spent (decoding is the costly part); answers how many it tried and whether any are left.
 */
export async function fingerprintSome(
  db: Db,
  bucket: R2Bucket,
  scope: SQL,
  budgetMs: number,
): Promise<{ tried: number; more: boolean }> {
  const started = Date.now();
  let tried = 0;
  for (;;) {
    const shas = await unfingerprinted(db, scope, 8);
    if (shas.length === 0) return { tried, more: false };
    for (const sha of shas) {
      await fingerprintBlob(db, bucket, sha);
      tried++;
    }
    if (Date.now() - started > budgetMs) return { tried, more: true };
  }
}

/** Cron: fingerprints still pending a minute after upload (the upload's own attempt died). */
export async function retryFingerprints(db: Db, bucket: R2Bucket, now: Date, limit = 5): Promise<void> {
  const task = {
    status: blobs.fingerprintStatus,
    attempts: blobs.fingerprintAttempts,
    maxAttempts: FINGERPRINT_ATTEMPTS,
  };
  for (const sha256 of await stalePendingBlobs(db, task, now, limit))
    await fingerprintBlob(db, bucket, sha256);
}

/**
 * Makes the fingerprints of one blob if they are still wanted (status none/pending with attempts
 * left, or ready but of an older version: its attempts start again).
 * Safe to run twice at once: the claim is a conditional update and the result is the same bytes'.
 * Returns whether the blob now has them.
 */
export async function fingerprintBlob(db: Db, bucket: R2Bucket, sha256: string): Promise<boolean> {
  const claimed = await db
    .update(blobs)
    .set({
      fingerprintStatus: "pending",
      fingerprintAttempts: sql`CASE WHEN ${blobs.fingerprintStatus} = 'ready' THEN 1 ELSE ${blobs.fingerprintAttempts} + 1 END`,
    })
    .where(and(eq(blobs.sha256, sha256), wantsFingerprintsMade))
    .returning({ mime: blobs.mime, attempts: blobs.fingerprintAttempts });
  const claim = claimed[0];
  if (!claim) return false;
  try {
    const source = await blobObjectKey(db, sha256);
    const object = source && (await bucket.get(source));
    if (!object) throw new Error("source blob missing");
    const image = await decodeImage(claim.mime, await object.arrayBuffer());
    if (!isDecodable({ mime: claim.mime, width: image.width, height: image.height }))
      throw new Error(`${image.width}×${image.height} is over the decode limit`);
    // pHash and colours first: pixelHash zeroes transparent pixels in place.
    const phash = perceptualHash(image);
    const colour = colourSignature(image);
    const pixels = await pixelHash(image);
    await db
      .update(blobs)
      .set({
        fingerprintStatus: "ready",
        pixelHash: pixels,
        phash,
        colour,
        fingerprintVersion: FINGERPRINT_VERSION,
      })
      .where(eq(blobs.sha256, sha256));
    return true;
  } catch (error) {
    if (claim.attempts >= FINGERPRINT_ATTEMPTS)
      await db.update(blobs).set({ fingerprintStatus: "failed" }).where(eq(blobs.sha256, sha256));
    console.log(
      JSON.stringify({
        level: "warn",
        event: "fingerprint_failed",
        sha256,
        attempts: claim.attempts,
        error: String(error),
      }),
    );
    return false;
  }
}
