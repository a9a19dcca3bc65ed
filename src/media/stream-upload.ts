import type { Db } from "../db/client";
import { BlobWriter } from "./blob-store";
import { type Committed, commitUpload } from "./commit";
import type { OnConflict } from "./conflicts";
import { Inspector, inspectedFields } from "./ingest";
import { quotaLeft } from "./quota";
import type { UploadLimits } from "./upload";

/**
 * A file that arrives as a plain byte stream (an import from a bucket) takes the upload path every
 * other file takes: the inspector's checks, quota and SHA-256 as the bytes pass, a blob object of
 * its own, then `commitUpload` (name policy, blob reference, ADR 0008's settling). Nothing stays
 * behind when any step fails.
 */
export async function uploadStream(
  deps: { db: Db; bucket: R2Bucket; now: Date },
  input: {
    ownerId: string;
    name: string;
    folder: string;
    body: ReadableStream<Uint8Array>;
    limits: UploadLimits;
    onConflict: OnConflict;
    /** Asked once the bytes are hashed, before they are stored: true drops the file (null result). */
    skipWhen?: (sha256: string) => Promise<boolean>;
  },
): Promise<Committed | null> {
  const left = await quotaLeft(deps.db, input.ownerId, deps.now);
  const writer = new BlobWriter(deps.bucket);
  const inspector = new Inspector(input.name, { ...input.limits, quotaBytesLeft: left.bytes }, writer);
  const reader = input.body.getReader();
  let objectKey: string;
  let file: Awaited<ReturnType<Inspector["close"]>>;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await inspector.write(value);
    }
    file = await inspector.close();
    if (await input.skipWhen?.(file.sha256)) {
      await writer.abort();
      return null;
    }
    objectKey = (await writer.finish(file.sha256)).key;
  } catch (error) {
    reader.cancel().catch(() => {});
    await writer.abort();
    throw error;
  }
  return commitUpload(
    { ...deps, idempotency: null },
    {
      ownerId: input.ownerId,
      name: input.name,
      folder: input.folder,
      tags: [],
      ...inspectedFields(file),
      objectKey,
    },
    input.onConflict,
  );
}
