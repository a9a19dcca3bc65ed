/**
 * Where a job's vector document lives: R2 `vectors/<sha256>` of its gzipped bytes. Content-addressed
 * (the same trace is stored once, a cache hit points at the same document) and never rewritten; a
 * document is not deleted when a job fails to commit, since another job may already point at it.
 */
import { sha256Hex } from "../lib/crypto";
import { decodeDoc, encodeDoc, type VectorDoc } from "./vector/document";

export const vectorKey = (sha256: string) => `vectors/${sha256}`;

export async function putVectorDoc(
  bucket: R2Bucket,
  doc: VectorDoc,
): Promise<{ sha256: string; bytes: number }> {
  const bytes = await encodeDoc(doc);
  const sha256 = await sha256Hex(bytes);
  await bucket.put(vectorKey(sha256), bytes, {
    httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
    sha256,
  });
  return { sha256, bytes: bytes.byteLength };
}

/** The document, or null when it is gone. */
export async function getVectorDoc(bucket: R2Bucket, sha256: string): Promise<VectorDoc | null> {
  const object = await bucket.get(vectorKey(sha256));
  if (!object) return null;
  return decodeDoc(await object.arrayBuffer());
}
