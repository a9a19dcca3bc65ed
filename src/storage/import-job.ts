import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { media } from "../db/schema";
import type { StorageTransfer } from "../db/storage-schema";
import { runInLanes } from "../lib/parallel";
import { mediaConfig } from "../media/config";
import { normalizeFileName, normalizeFolder } from "../media/names";
import { uploadStream } from "../media/stream-upload";
import type { UploadLimits } from "../media/upload";
import { knownHashes, type ObjectHash, sameVersion, saveHashes } from "./object-hashes";
import type { StorageProvider } from "./provider";
import { defineTransferJob } from "./transfers";

/**
 * Import: the objects under a prefix of a connection become library files under a folder, the key's
 * path below the prefix becoming subfolders. Each delivery imports one listing page
 * (STORAGE_CHUNK_SIZE objects, STORAGE_CONCURRENCY at a time) through the upload path (uploadStream: checks, quota, SHA-256, blob
 * dedupe) and commits the next continuation token as its checkpoint. An object whose bytes are
 * already a file in its folder is skipped (read once, hashed, never stored), so a page run twice
 * (a crash before its checkpoint) or an import run again adds nothing. What each object read hashed
 * to is kept by its version (key, ETag, size; object-hashes.ts), so a later import of an unchanged
 * object looks for its bytes in the folder without reading it again.
 */

/** Where an object lands: its folder (the import folder plus the key's directories) and name. */
export function placeOf(transfer: Pick<StorageTransfer, "prefix" | "folder">, key: string) {
  const rest = key.slice(transfer.prefix.length).replace(/^\/+/, "");
  const cut = rest.lastIndexOf("/");
  const dirs = cut >= 0 ? rest.slice(0, cut) : "";
  const folder = normalizeFolder(dirs ? `${transfer.folder.replace(/\/+$/, "")}/${dirs}` : transfer.folder);
  return { folder, name: normalizeFileName(rest.slice(cut + 1)) };
}

/** A live file with these bytes in the folder: the object was imported before (maybe renamed). */
async function inFolder(db: Db, ownerId: string, folder: string, sha256: string): Promise<boolean> {
  const row = await db
    .select({ id: media.id })
    .from(media)
    .where(
      and(
        eq(media.ownerId, ownerId),
        eq(media.folder, folder),
        eq(media.sha256, sha256),
        isNull(media.trashedAt),
      ),
    )
    .get();
  return row !== undefined;
}

/** Reads one object into the folder (or finds its bytes there); `read`: the version read and its hash. */
async function importObject(
  deps: { db: Db; bucket: R2Bucket; now: Date },
  provider: StorageProvider,
  ownerId: string,
  place: { folder: string; name: string },
  key: string,
  limits: UploadLimits,
): Promise<{ outcome: "copied" | "skipped"; read: ObjectHash | null }> {
  const object = await provider.get(key);
  if (!object) return { outcome: "skipped", read: null }; // deleted since the listing
  let hash = "";
  const committed = await uploadStream(deps, {
    ownerId,
    ...place,
    body: object.body,
    limits,
    onConflict: "rename",
    skipWhen: (sha256) => {
      hash = sha256;
      return inFolder(deps.db, ownerId, place.folder, sha256);
    },
  });
  return {
    outcome: committed ? "copied" : "skipped",
    // The version the GET answered, which is the one hashed (the listing may be older).
    read: { key, etag: object.etag, size: object.size, sha256: hash },
  };
}

export const storageImportJob = defineTransferJob(
  "storage-import",
  "importing",
  async (ctx, opened, tally, tick) => {
    const { transfer, provider, chunkSize } = opened;
    const total = transfer.total ?? (await countObjects(provider, transfer.prefix));
    const page = await provider.list(transfer.prefix, { cursor: transfer.cursor, limit: chunkSize });
    const config = mediaConfig(ctx.env);
    const limits = {
      maxBytes: config.maxUploadBytes,
      maxPixels: config.maxPixels,
      allowUnknown: config.allowUnknown,
    };
    const deps = { db: ctx.db, bucket: ctx.env.MEDIA, now: ctx.now() };
    const known = await knownHashes(
      ctx.db,
      transfer.connectionId,
      page.items.map((i) => i.key),
    );
    const read: ObjectHash[] = [];
    // Objects go a few at a time (each is a wait on the store, R2 and D1, not CPU). Objects that may
    // hold the same bytes for the same folder (same key directory, entity tag and size) share a lane and go one
    // after another, so the second is skipped as a copy of the first exactly as in a serial import.
    await runInLanes(
      page.items,
      (item) => `${item.key.slice(0, item.key.lastIndexOf("/") + 1)}\n${item.etag}\n${item.size}`,
      opened.concurrency,
      async (item) => {
        // A "folder" some tools create: a zero-byte key ending in a slash.
        if (item.key.endsWith("/")) tally.add("skipped", 0);
        else {
          try {
            const place = placeOf(transfer, item.key);
            const hash = known.get(item.key);
            // The version imported before, and its bytes are in the folder: nothing to read.
            if (
              sameVersion(hash, item) &&
              (await inFolder(ctx.db, transfer.ownerId, place.folder, hash!.sha256))
            )
              tally.add("skipped", item.size);
            else {
              const done = await importObject(deps, provider, transfer.ownerId, place, item.key, limits);
              if (done.read) read.push(done.read);
              tally.add(done.outcome, item.size);
            }
          } catch (error) {
            tally.fail(item.key, error);
          }
        }
        await tick(total);
      },
    );
    const statements = read.length ? [saveHashes(ctx.db, transfer.connectionId, read, deps.now)] : [];
    return { cursor: page.cursor, total, statements };
  },
);

/** Counts the objects under a prefix (one listing request per 1,000 keys), for progress. */
async function countObjects(provider: StorageProvider, prefix: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page = await provider.list(prefix, { cursor });
    n += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  return n;
}
