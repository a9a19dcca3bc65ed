import { copyObject } from "../media/blob-store";
import {
  normalizeRoot,
  StorageError,
  type StorageProvider,
  type StoredObjectInfo,
  underRoot,
  withLength,
} from "./provider";

const info = (root: string, o: R2Object): StoredObjectInfo => ({
  key: o.key.slice(root.length),
  size: o.size,
  etag: o.etag,
  lastModified: o.uploaded.toISOString(),
});

/** The R2 binding as a provider, under `prefix` of the bucket. */
export function r2Provider(bucket: R2Bucket, prefix = ""): StorageProvider {
  const root = normalizeRoot(prefix);
  return {
    kind: "r2",
    async list(listPrefix, options = {}) {
      const page = await bucket.list({
        prefix: underRoot(root, listPrefix),
        cursor: options.cursor ?? undefined,
        startAfter: options.cursor || !options.startAfter ? undefined : underRoot(root, options.startAfter),
        limit: Math.min(options.limit ?? 1000, 1000),
      });
      return {
        items: page.objects.map((o) => info(root, o)),
        cursor: page.truncated ? page.cursor : null,
      };
    },
    async head(key) {
      const o = await bucket.head(underRoot(root, key));
      return o ? info(root, o) : null;
    },
    async get(key) {
      const o = await bucket.get(underRoot(root, key));
      if (!o) return null;
      return { ...info(root, o), body: o.body, contentType: o.httpMetadata?.contentType ?? null };
    },
    async put(key, body, options) {
      await bucket.put(underRoot(root, key), withLength(body, options.size), {
        httpMetadata: options.contentType ? { contentType: options.contentType } : undefined,
      });
    },
    async copy(from, to) {
      // R2's binding has no server-side copy: the bytes stream through once, never buffered whole.
      const source = await bucket.head(underRoot(root, from));
      if (!source) throw new StorageError("failed", `No object ${from} to copy.`, 404);
      await copyObject(bucket, underRoot(root, from), underRoot(root, to), source.size);
    },
    async delete(key) {
      await bucket.delete(underRoot(root, key));
    },
  };
}
