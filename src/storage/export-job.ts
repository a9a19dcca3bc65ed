import { and, asc, eq, gt, inArray, isNull, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { startsWith } from "../db/prefix";
import { blobs, type Media, media } from "../db/schema";
import type { StorageTransfer } from "../db/storage-schema";
import { objectKeyOf } from "../media/blob-store";
import type { StorageProvider } from "./provider";
import { defineTransferJob } from "./transfers";

/**
 * Export: library files (a folder with its subfolders, or a selection) are written under a prefix
 * of a connection, their folder below the export folder becoming the key's path. Each delivery
 * writes STORAGE_CHUNK_SIZE files in id order and commits the last id as its checkpoint; a page run
 * twice writes the same bytes to the same keys, so a resumed export leaves no extra objects.
 */

/** The files a transfer exports: live, the owner's, in the folder's subtree or the selection. */
function exported(transfer: StorageTransfer) {
  const mine = and(eq(media.ownerId, transfer.ownerId), isNull(media.trashedAt));
  if (transfer.mediaIds) return and(mine, inArray(media.id, transfer.mediaIds));
  if (transfer.folder === "/") return mine;
  return and(mine, or(eq(media.folder, transfer.folder), startsWith(media.folder, `${transfer.folder}/`)));
}

/** The key a file is written to: the prefix, its folder below the export folder, its name. */
export function keyOf(
  transfer: Pick<StorageTransfer, "prefix" | "folder" | "mediaIds">,
  file: Media,
): string {
  const base = transfer.mediaIds || transfer.folder === "/" ? "/" : transfer.folder;
  const below = file.folder.startsWith(base) ? file.folder.slice(base.length) : file.folder;
  const dirs = below.replace(/^\/+|\/+$/g, "");
  const prefix =
    transfer.prefix === "" || transfer.prefix.endsWith("/") ? transfer.prefix : `${transfer.prefix}/`;
  return `${prefix}${dirs ? `${dirs}/` : ""}${file.name}`;
}

async function exportFile(db: Db, bucket: R2Bucket, provider: StorageProvider, key: string, file: Media) {
  const blob = await db
    .select({ sha256: blobs.sha256, objectKey: blobs.objectKey })
    .from(blobs)
    .where(eq(blobs.sha256, file.sha256))
    .get();
  const object = blob ? await bucket.get(objectKeyOf(blob)) : null;
  if (!object) throw new Error("The file's bytes are missing from storage.");
  await provider.put(key, object.body, { size: object.size, contentType: file.mime });
}

export const storageExportJob = defineTransferJob(
  "storage-export",
  "exporting",
  async (ctx, opened, tally, tick) => {
    const { transfer, provider, chunkSize } = opened;
    const which = exported(transfer);
    const total = transfer.total ?? (await ctx.db.$count(media, which));
    const files = await ctx.db
      .select()
      .from(media)
      .where(and(which, transfer.cursor ? gt(media.id, transfer.cursor) : undefined))
      .orderBy(asc(media.id))
      .limit(chunkSize)
      .all();
    for (const file of files) {
      const key = keyOf(transfer, file);
      try {
        await exportFile(ctx.db, ctx.env.MEDIA, provider, key, file);
        tally.add("copied", file.size);
      } catch (error) {
        tally.fail(key, error);
      }
      await tick(total);
    }
    return { cursor: files.length === chunkSize ? files.at(-1)!.id : null, total };
  },
);
