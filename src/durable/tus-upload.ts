import { DurableObject } from "cloudflare:workers";
import { getDb } from "../db/client";
import type { Media } from "../db/schema";
import { ApiError } from "../errors";
import type { Committed } from "../media/commit";
import { mediaConfig } from "../media/config";
import { concatAll } from "../media/ingest";
import { abortUpload, completeUpload, MIN_PART_BYTES, uploadPart } from "../media/resumable";
import { MAX_CHECKSUMMED_PATCH_BYTES } from "../media/tus/protocol";

/** Every part but the last is exactly this size (R2 wants them equal, and at least 5 MiB). */
export const TUS_PART_BYTES = MIN_PART_BYTES;
/** The not-yet-a-part tail is stored in values of at most this size. */
const TAIL_CHUNK_BYTES = 1024 * 1024;

/** One tus upload: the media upload (R2 multipart) it feeds, and how far it has got. */
export interface TusState {
  uploadId: string;
  ownerId: string;
  length: number;
  metadata: Record<string, string>;
  expiresAt: string;
  /** Bytes acknowledged: `parts` × TUS_PART_BYTES stored as parts plus the stored tail. */
  offset: number;
  parts: number;
  tailChunks: number;
  mediaId: string | null;
}

export type TusRefusal = { refused: { status: number; code: string; detail: string } };
export type AppendResult =
  | TusRefusal
  | { offset: number; expiresAt: string; media: Media | null; conflict: Committed["conflict"] | null };

const refuse = (status: number, code: string, detail: string): TusRefusal => ({
  refused: { status, code, detail },
});

/**
 * One Durable Object per tus upload (named by the upload id), so PATCHes of an upload are serialised
 * and its offset is never raced. Bytes go to the upload's R2 multipart upload (src/media/resumable.ts,
 * the same quota reservation and checks as the multipart API) in parts of exactly TUS_PART_BYTES;
 * what doesn't fill a part yet is kept in this object's storage. An offset is acknowledged only once
 * its bytes are in a part or in the stored tail, so a client whose connection dropped resumes from
 * the last byte that arrived. When the last byte arrives the upload is completed like any other:
 * type sniffing, header budget, quota, dedupe by SHA-256, into the library.
 */
/**
 * The PATCH body's chunks: as they arrive, or — with a checksum — read whole and verified first
 * (413 past the limit, 460 on a mismatch, nothing kept).
 */
async function verifiedChunks(
  body: ReadableStream<Uint8Array> | null,
  checksum: Uint8Array | null,
): Promise<AsyncIterable<Uint8Array> | Uint8Array[] | TusRefusal> {
  if (!body) return [];
  if (!checksum) return streamChunks(body);
  const whole = await readAtMost(body, MAX_CHECKSUMMED_PATCH_BYTES);
  if (!whole)
    return refuse(
      413,
      "patch_too_large",
      `A PATCH with Upload-Checksum is limited to ${MAX_CHECKSUMMED_PATCH_BYTES} bytes.`,
    );
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", whole));
  if (!equalBytes(digest, checksum))
    return refuse(
      460,
      "checksum_mismatch",
      "The PATCH body does not match Upload-Checksum; nothing was kept.",
    );
  return [whole];
}

export class TusUpload extends DurableObject<Env> {
  /**
   * The PATCH being written. A Durable Object interleaves requests at every await on I/O (the body,
   * R2), so a client's retry can arrive while the PATCH it gave up on is still being read to its
   * broken end: appends run one after another, and the later one then sees the offset the earlier left.
   */
  private writing: Promise<unknown> = Promise.resolve();
  private async load(): Promise<TusState | undefined> {
    return this.ctx.storage.get<TusState>("state");
  }

  private async loadTail(state: TusState): Promise<Uint8Array[]> {
    if (state.tailChunks === 0) return [];
    const keys = Array.from({ length: state.tailChunks }, (_, i) => `tail:${i}`);
    const stored = await this.ctx.storage.get<Uint8Array>(keys);
    return keys.map((k) => stored.get(k)!);
  }

  /** Writes the state with its tail (old tail values beyond the new count are dropped). */
  private async save(state: TusState, tail: Uint8Array[]): Promise<void> {
    const joined = concat(tail);
    const entries: Record<string, unknown> = {};
    let count = 0;
    for (let at = 0; at < joined.length; at += TAIL_CHUNK_BYTES, count++)
      entries[`tail:${count}`] = joined.slice(at, at + TAIL_CHUNK_BYTES);
    const stale = Array.from(
      { length: Math.max(0, state.tailChunks - count) },
      (_, i) => `tail:${count + i}`,
    );
    state.tailChunks = count;
    entries.state = state;
    await this.ctx.storage.put(entries);
    if (stale.length) await this.ctx.storage.delete(stale);
  }

  async start(state: TusState): Promise<void> {
    await this.save(state, []);
    // Past its expiry the media upload is aborted by the cron; this object forgets it then too.
    await this.ctx.storage.setAlarm(new Date(state.expiresAt).getTime());
  }

  async status(ownerId: string): Promise<TusState | null> {
    const state = await this.load();
    return state && state.ownerId === ownerId && state.expiresAt > new Date().toISOString() ? state : null;
  }

  /**
   * Appends `body` at `offset`. With a checksum the PATCH is read whole and verified before any of it
   * is kept (460 on a mismatch); without one, bytes are kept as they arrive, and a body that breaks
   * off (a dropped connection) keeps what came.
   */
  append(
    ownerId: string,
    offset: number,
    body: ReadableStream<Uint8Array> | null,
    checksum: Uint8Array | null,
  ): Promise<AppendResult> {
    const turn = this.writing.then(() => this.appendNow(ownerId, offset, body, checksum));
    this.writing = turn.catch(() => {});
    return turn;
  }

  private async appendNow(
    ownerId: string,
    offset: number,
    body: ReadableStream<Uint8Array> | null,
    checksum: Uint8Array | null,
  ): Promise<AppendResult> {
    const state = await this.status(ownerId);
    if (!state) return refuse(404, "not_found", "No such upload (or it expired).");
    if (offset !== state.offset)
      return refuse(409, "offset_mismatch", `Upload-Offset must be ${state.offset}, where this upload is.`);
    if (state.mediaId) return refuse(409, "upload_complete", "This upload is complete.");
    const tail = await this.loadTail(state);
    const chunks = await verifiedChunks(body, checksum);
    if ("refused" in chunks) return chunks;
    const kept = { tailBytes: tail.reduce((n, c) => n + c.length, 0) };
    let refusal: TusRefusal | null = null;
    try {
      refusal = await this.keep(state, tail, kept, chunks);
    } catch (error) {
      // An ApiError is a refusal (quota, the upload gone); anything else is the body breaking off.
      if (error instanceof ApiError) refusal = refuse(error.status, error.code, error.detail);
    }
    state.offset = state.parts * TUS_PART_BYTES + kept.tailBytes;
    await this.save(state, tail);
    if (refusal) return refusal;
    if (state.offset < state.length)
      return { offset: state.offset, expiresAt: state.expiresAt, media: null, conflict: null };
    return this.complete(state, tail);
  }

  /**
   * Keeps the chunks: into the tail, and every full part out of it to the media upload (saved after
   * each, so a broken-off body keeps what came). Refuses a chunk that goes past the upload's length.
   */
  private async keep(
    state: TusState,
    tail: Uint8Array[],
    kept: { tailBytes: number },
    chunks: AsyncIterable<Uint8Array> | Uint8Array[],
  ): Promise<TusRefusal | null> {
    for await (const chunk of chunks) {
      const room = state.length - (state.parts * TUS_PART_BYTES + kept.tailBytes);
      if (chunk.length > room)
        return refuse(
          400,
          "upload_length_exceeded",
          `The upload is ${state.length} bytes; this PATCH goes past it.`,
        );
      tail.push(chunk);
      kept.tailBytes += chunk.length;
      while (kept.tailBytes >= TUS_PART_BYTES) {
        const part = takeBytes(tail, TUS_PART_BYTES);
        await this.sendPart(state, part);
        kept.tailBytes -= part.length;
        state.offset = state.parts * TUS_PART_BYTES + kept.tailBytes;
        await this.save(state, tail);
      }
    }
    return null;
  }

  /** Sends one part to the media upload behind this one. */
  private async sendPart(state: TusState, part: Uint8Array): Promise<void> {
    await uploadPart(
      getDb(this.env.DB),
      this.env.MEDIA,
      state.ownerId,
      {
        id: state.uploadId,
        partNumber: state.parts + 1,
        body: part,
        contentLength: part.length,
        maxTotal: mediaConfig(this.env).maxMultipartBytes,
      },
      new Date(),
    );
    state.parts += 1;
  }

  /** The last byte is in: the tail becomes the last part, and the upload is completed. */
  private async complete(state: TusState, tail: Uint8Array[]): Promise<AppendResult> {
    const db = getDb(this.env.DB);
    const config = mediaConfig(this.env);
    try {
      if (tail.length) await this.sendPart(state, concat(tail));
      const { row, conflict } = await completeUpload(
        { db, bucket: this.env.MEDIA, now: new Date(), idempotency: null },
        state.ownerId,
        state.uploadId,
        {
          maxBytes: config.maxMultipartBytes,
          maxTotal: config.maxMultipartBytes,
          maxPixels: config.maxPixels,
          allowUnknown: config.allowUnknown,
        },
      );
      state.mediaId = row.id;
      await this.save(state, []);
      return { offset: state.offset, expiresAt: state.expiresAt, media: row, conflict: conflict ?? null };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // Refused as a file (type, size, quota): the media upload is aborted; so is this one.
      await this.ctx.storage.deleteAll();
      return refuse(error.status, error.code, error.detail);
    }
  }

  /** Termination: the media upload is aborted and this object forgets the upload. */
  async terminate(ownerId: string): Promise<boolean> {
    const state = await this.status(ownerId);
    if (!state) return false;
    if (!state.mediaId)
      await abortUpload(getDb(this.env.DB), this.env.MEDIA, ownerId, state.uploadId, new Date()).catch(
        () => {},
      );
    await this.ctx.storage.deleteAll();
    return true;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

async function* streamChunks(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value.length) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The whole body, or null when it is longer than `max`. */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of streamChunks(body)) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return concat(chunks);
}

const concat = (chunks: Uint8Array[]) =>
  concatAll(
    chunks,
    chunks.reduce((n, c) => n + c.length, 0),
  );

/** Removes the first `n` bytes from `chunks` (in place) and returns them. */
function takeBytes(chunks: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const head = chunks[0]!;
    const take = Math.min(head.length, n - at);
    out.set(head.subarray(0, take), at);
    at += take;
    if (take === head.length) chunks.shift();
    else chunks[0] = head.subarray(take);
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
