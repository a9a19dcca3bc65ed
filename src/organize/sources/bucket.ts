import { and, eq } from "drizzle-orm";
import { inList } from "../../db/in-list";
import { organizeFiles } from "../../db/organize-schema";
import { mapInParallel } from "../../lib/parallel";
import type { StoredObjectInfo } from "../../storage/provider";
import { type FileSource, pairKey, type SourceFile } from "../source";
import { applyInBucket, type BucketSourceDeps, rollbackInBucket } from "./bucket-changes";
import { BUCKET_WIDTH, keyOf, placeOfKey } from "./bucket-keys";

/**
 * Organize in place: the objects under a prefix of a storage connection as a file source. A key
 * (relative to the connection's root) is a file's id; its directories are the folder and its last
 * segment the name, so `photos/2024/a b.jpg` is `a b.jpg` in `/photos/2024`, and a destination
 * folder from a template is a key prefix under the same root. The store is reached only through the
 * StorageProvider interface (list, head, copy, delete), never by name.
 *
 * What a bucket can't give without reading every byte is refused when the plan is asked for
 * (src/organize/sources/index.ts): duplicates (an ETag is no SHA-256), pixels, look-alikes. Objects
 * have no tags and no trash; their type is told by the extension alone (the bytes are never read).
 */

/** A "folder" some tools create: a zero-byte key ending in a slash, never a file. */
const isFolderMarker = (key: string) => key.endsWith("/");

function toFile(o: StoredObjectInfo): SourceFile {
  const { folder, name } = placeOfKey(o.key);
  return {
    id: o.key,
    name,
    nameKey: name.toLowerCase(),
    folder,
    // Nothing sniffed: a generic type lets the extension decide the category (categorize).
    mime: "application/octet-stream",
    size: o.size,
    // Unknown: the bytes are not read, and an ETag is not a SHA-256.
    sha256: "",
    createdAt: o.lastModified,
    tags: [],
    width: null,
    height: null,
    pixelHash: null,
    takenAt: null,
    takenLocal: null,
    etag: o.etag,
  };
}

export function bucketSource(deps: BucketSourceDeps): FileSource {
  const { provider } = deps;
  const prefix = deps.plan.prefix ?? "";
  const none = { files: 0, bytes: 0 };
  /** A listing's files (no folder markers), without those the plan has a record of if asked. */
  async function filesOf(items: StoredObjectInfo[], unrecorded: boolean): Promise<SourceFile[]> {
    const files = items.filter((o) => !isFolderMarker(o.key));
    const recorded = unrecorded ? await recordedKeys(files.map((o) => o.key)) : new Set<string>();
    return files.filter((o) => !recorded.has(o.key)).map(toFile);
  }
  /** Which of these keys the plan has a record of already. */
  async function recordedKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await deps.db
      .select({ key: organizeFiles.mediaId })
      .from(organizeFiles)
      .where(and(eq(organizeFiles.jobId, deps.plan.jobId), inList(organizeFiles.mediaId, keys)))
      .all();
    return new Set(rows.map((r) => r.key));
  }
  return {
    supports: { tags: false, trash: false },
    maxChunk: deps.maxChunk,

    async measure() {
      let files = 0;
      let bytes = 0;
      let cursor: string | null = null;
      do {
        const page = await provider.list(prefix, { cursor });
        for (const o of page.items)
          if (!isFolderMarker(o.key)) {
            files += 1;
            bytes += o.size;
          }
        cursor = page.cursor;
      } while (cursor);
      return { files, bytes };
    },
    measureGrouped: async () => none,

    async page(after, limit, { unrecorded = false } = {}) {
      // Key order; `after` is the last file's [time, key], and the key alone is where listing resumes.
      const out: SourceFile[] = [];
      let cursor: string | null = null;
      do {
        const want = limit - out.length;
        const page = await provider.list(
          prefix,
          cursor ? { cursor, limit: want } : { startAfter: after?.[1], limit: want },
        );
        out.push(...(await filesOf(page.items, unrecorded)));
        cursor = page.cursor;
      } while (cursor && out.length < limit);
      return out;
    },

    async byIds(ids) {
      const found = await mapInParallel(
        ids.filter((id) => id.startsWith(prefix)),
        BUCKET_WIDTH,
        (id) => provider.head(id),
      );
      return found.filter((o) => o !== null).map(toFile);
    },

    // No duplicate groups, fingerprints or perceptual hashes: plans that need them are refused.
    exactGroups: () => [],
    perceptualHashes: async () => [],
    countUnfingerprinted: async () => 0,
    makeFingerprints: () => {
      throw new Error("a bucket source reads no bytes");
    },

    async takenNames(pairs) {
      // Keys are exact: the name as given is looked up (a case-insensitive store would say too).
      const held = await mapInParallel(pairs, BUCKET_WIDTH, async ([folder, name]) =>
        (await provider.head(keyOf(folder, name))) ? pairKey(folder, name.toLowerCase()) : null,
      );
      return new Set(held.filter((k) => k !== null));
    },

    apply: (lo, hi, _protected, now) => applyInBucket(deps, lo, hi, now),
    rollback: (lo, hi, _protected, now) => rollbackInBucket(deps, lo, hi, now),
  };
}
