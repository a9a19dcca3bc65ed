import { and, asc, eq, lt } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { blobs } from "../db/schema";

/**
 * R2 side of uploads. Every write of bytes goes to an object of its own (never user text); the blob
 * row in D1 records which object holds its content (ADR 0008), so the key need not name the hash.
 * A file that fits in one part (most uploads) is hashed in memory and written once to
 * `blobs/<sha256>/<random>`. A larger one streams into an R2 multipart upload at `blobs/<random>`
 * (its hash is known only at the end) and stays there: its bytes are written once, with no copy.
 */
export const PART_SIZE = 8 * 1024 * 1024;

/** Where rows made before objects had their own keys keep their bytes. */
export const legacyBlobKey = (sha256: string) => `blobs/${sha256}`;

/** A fresh object for one write of these bytes. */
export const newBlobKey = (sha256: string) => `blobs/${sha256}/${crypto.randomUUID()}`;

/** A fresh object for bytes whose hash is not known yet (a file streamed in parts). */
export const newStreamedBlobKey = () => `blobs/${crypto.randomUUID()}`;

export const objectKeyOf = (row: { sha256: string; objectKey: string | null }) =>
  row.objectKey ?? legacyBlobKey(row.sha256);

/** The object that holds a blob's bytes, or null when there is no such blob (any more). */
export async function blobObjectKey(db: Db, sha256: string): Promise<string | null> {
  const row = await db
    .select({ sha256: blobs.sha256, objectKey: blobs.objectKey })
    .from(blobs)
    .where(eq(blobs.sha256, sha256))
    .get();
  return row ? objectKeyOf(row) : null;
}

/**
 * After the batch that took a reference on the blob `sha256` with a row pointing at `written`:
 * when the row already existed it keeps its own object, and the one just written is dropped. The
 * reference taken keeps the row (and its object) alive, so reading it here is safe.
 */
/**
 * Blobs whose per-blob task made at upload (thumbnail, fingerprints) is still pending a minute after
 * the upload: the upload's own attempt died, so the cron takes them over, oldest first, while the
 * task has attempts left.
 */
export async function stalePendingBlobs(
  db: Db,
  task: { status: AnySQLiteColumn; attempts: AnySQLiteColumn; maxAttempts: number },
  now: Date,
  limit: number,
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - 60_000).toISOString();
  const rows = await db
    .select({ sha256: blobs.sha256 })
    .from(blobs)
    .where(and(eq(task.status, "pending"), lt(task.attempts, task.maxAttempts), lt(blobs.createdAt, cutoff)))
    .orderBy(asc(blobs.createdAt))
    .limit(limit)
    .all();
  return rows.map((row) => row.sha256);
}

export async function settleWrittenObject(db: Db, bucket: R2Bucket, sha256: string, written: string) {
  const kept = await blobObjectKey(db, sha256);
  if (kept !== written) await bucket.delete(written);
}

export interface StoredBlob {
  /** The object just written; the blob row points here unless the content was already stored. */
  key: string;
}

export class BlobWriter {
  private part: Uint8Array | null = null;
  private fill = 0;
  private upload: R2MultipartUpload | null = null;
  private parts: R2UploadedPart[] = [];

  constructor(private readonly bucket: R2Bucket) {}

  async write(chunk: Uint8Array): Promise<void> {
    let i = 0;
    while (i < chunk.length) {
      if (!this.part) this.part = new Uint8Array(Math.min(PART_SIZE, Math.max(chunk.length, 64 * 1024)));
      if (this.fill === this.part.length && this.part.length < PART_SIZE) {
        const grown = new Uint8Array(Math.min(PART_SIZE, this.part.length * 2));
        grown.set(this.part);
        this.part = grown;
      }
      const n = Math.min(this.part.length - this.fill, chunk.length - i);
      this.part.set(chunk.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === PART_SIZE) await this.flushPart();
    }
  }

  private async flushPart(): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(newStreamedBlobKey());
    // uploadPart resolves once R2 has the bytes, so the part buffer can be reused afterwards.
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, this.part!.subarray(0, this.fill)));
    this.fill = 0;
  }

  /** The object holding the bytes: written now (one part), or the multipart upload completed in place. */
  async finish(sha256: string): Promise<StoredBlob> {
    if (!this.upload) {
      const key = newBlobKey(sha256);
      await this.bucket.put(key, this.part?.subarray(0, this.fill) ?? new Uint8Array(0), { sha256 });
      this.part = null;
      return { key };
    }
    if (this.fill > 0) await this.flushPart();
    this.part = null;
    await this.upload.complete(this.parts);
    const key = this.upload.key;
    this.upload = null;
    return { key };
  }

  /** Forget everything written so far (the upload failed). */
  async abort(): Promise<void> {
    this.part = null;
    const upload = this.upload;
    this.upload = null;
    if (upload) await upload.abort().catch(() => {});
  }
}

/** R2 has no rename: stream the object into its new key (constant memory). */
export async function copyObject(bucket: R2Bucket, from: string, to: string, size: number, sha256?: string) {
  const source = await bucket.get(from);
  if (!source) throw new Error(`copyObject: ${from} vanished`);
  const { readable, writable } = new FixedLengthStream(size);
  const piping = source.body.pipeTo(writable);
  await bucket.put(to, readable, sha256 ? { sha256 } : undefined);
  await piping;
}

/**
 * Derived files of a blob that no row counts (URL transformations) are a cache at
 * `derived/<sha256>/<variant>`, where the variant is a hash of canonical parameters (never user
 * text). They go with their source blob (`deleteDerived`) and can be dropped any time.
 */
export const derivedKey = (sha256: string, variant: string) => `derived/${sha256}/${variant}`;

export async function deleteDerived(bucket: R2Bucket, sha256s: string[]): Promise<void> {
  for (const sha256 of sha256s) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: `derived/${sha256}/`, cursor });
      if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
}
