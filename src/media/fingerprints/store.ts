import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { blobs } from "../../db/schema";
import { decodeImage } from "../../wasm/codecs";
import { blobKey } from "../blob-store";
import { isDecodable } from "../images/sources";
import { perceptualHash, pixelHash } from "./hash";
import { FINGERPRINT_ATTEMPTS } from "./types";

/**
 * Fingerprints are a property of the bytes, so they live on the blob row (like thumbnails): made
 * once per distinct file, in the background after an upload, by the organizer for files it needs
 * them for, and by the backfill job for a whole library.
 */

/** The statement-free check: which blob rows want fingerprints at upload. */
export const wantsFingerprint = isDecodable;

/**
 * Makes the fingerprints of one blob if they are still wanted (status none/pending, attempts left).
 * Safe to run twice at once: the claim is a conditional update and the result is the same bytes'.
 * Returns whether the blob now has them.
 */
export async function fingerprintBlob(db: Db, bucket: R2Bucket, sha256: string): Promise<boolean> {
  const claimed = await db
    .update(blobs)
    .set({ fingerprintStatus: "pending", fingerprintAttempts: sql`${blobs.fingerprintAttempts} + 1` })
    .where(
      and(
        eq(blobs.sha256, sha256),
        inArray(blobs.fingerprintStatus, ["none", "pending"]),
        lt(blobs.fingerprintAttempts, FINGERPRINT_ATTEMPTS),
      ),
    )
    .returning({ mime: blobs.mime, attempts: blobs.fingerprintAttempts });
  const claim = claimed[0];
  if (!claim) return false;
  try {
    const object = await bucket.get(blobKey(sha256));
    if (!object) throw new Error("source blob missing");
    const image = await decodeImage(claim.mime, await object.arrayBuffer());
    if (!isDecodable({ mime: claim.mime, width: image.width, height: image.height }))
      throw new Error(`${image.width}×${image.height} is over the decode limit`);
    // pHash first: pixelHash zeroes transparent pixels in place.
    const phash = perceptualHash(image);
    const pixels = await pixelHash(image);
    await db
      .update(blobs)
      .set({ fingerprintStatus: "ready", pixelHash: pixels, phash })
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
