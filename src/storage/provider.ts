/**
 * Where files live outside the library: a bucket and a key prefix behind one interface, so import,
 * export and organize-in-place work the same on R2 (the binding) and any S3-compatible store.
 * Keys given to and returned by a provider are relative to its root prefix.
 */
export interface StoredObjectInfo {
  key: string;
  size: number;
  /** The store's entity tag, quotes removed; changes when the bytes change. */
  etag: string;
  lastModified: string;
}

export interface ListPage {
  items: StoredObjectInfo[];
  /** Pass back to list the next page; null at the end. */
  cursor: string | null;
}

export interface StoredObjectBody extends StoredObjectInfo {
  body: ReadableStream<Uint8Array>;
  contentType: string | null;
}

export interface StorageProvider {
  /** "r2" or "s3": for logs and problem details. */
  readonly kind: string;
  /**
   * Keys under `prefix` in key order, at most `limit` (≤ 1,000) a page; from past `startAfter` (a key)
   * when no `cursor` is given — a position that, unlike a cursor, stays valid across deliveries.
   */
  list(
    prefix: string,
    options?: { cursor?: string | null; limit?: number; startAfter?: string },
  ): Promise<ListPage>;
  head(key: string): Promise<StoredObjectInfo | null>;
  get(key: string): Promise<StoredObjectBody | null>;
  /** Writes `size` bytes from `body` (a stream is passed through, not buffered). */
  put(
    key: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    options: { size: number; contentType?: string },
  ): Promise<void>;
  /** A server-side copy within the provider's bucket; the bytes do not pass through the Worker. */
  copy(from: string, to: string): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/**
 * Why a provider call failed, in terms a person can act on. `auth`: the store refused the
 * credentials; `not_found`: no such bucket; `unreachable`: no answer (DNS, refused, timeout);
 * `failed`: any other answer. `status` is the store's HTTP status when there was one.
 */
export class StorageError extends Error {
  constructor(
    readonly reason: "auth" | "not_found" | "unreachable" | "failed",
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

/** Joins a root prefix and a relative key. A root is stored with a trailing slash, or is empty. */
export const underRoot = (root: string, key: string) => `${root}${key}`;

/** A root prefix as stored: no leading slash, a trailing one unless empty. */
export function normalizeRoot(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, "");
  return trimmed === "" || trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}

/** A body with its length known up front, as R2 and S3 need for a streamed upload. */
export function withLength(body: ReadableStream<Uint8Array> | Uint8Array, size: number) {
  if (body instanceof Uint8Array) return body;
  const { readable, writable } = new FixedLengthStream(size);
  // Errors surface on the reading side (the upload fails), so the pipe's own promise is not awaited.
  body.pipeTo(writable).catch(() => {});
  return readable;
}
