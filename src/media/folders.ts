import { and, eq, isNull, sql } from "drizzle-orm";
import { abortUnless, isBatchAbort } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { startsWith } from "../db/prefix";
import { media } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { bumpCacheVersion } from "./cache";
import { MAX_DEPTH, MAX_FOLDER_CHARS } from "./names";

/** Folders are a column of media rows: moving one is a row update, the tree is a GROUP BY. */

const TOO_DEEP = "folder-move-too-deep";

/**
 * Moves a folder (and everything under it) to a new path in one batch; rename is a move. The
 * moved paths must still be valid folders: a guard in the batch aborts it when any would nest
 * deeper than MAX_DEPTH or grow longer than MAX_FOLDER_CHARS.
 */
export async function moveFolder(
  db: Db,
  ownerId: string,
  from: string,
  to: string,
  now: Date,
): Promise<number> {
  if (from === "/") throw new ApiError(422, "invalid_move", "The root folder can't be moved.");
  if (to === "/") throw new ApiError(422, "invalid_move", "A folder can't become the root.");
  if (to === from || to.startsWith(`${from}/`))
    throw new ApiError(422, "invalid_move", "A folder can't be moved into itself.");
  const inside = sql`owner_id = ${ownerId} AND (folder = ${from} OR ${startsWith(sql`folder`, `${from}/`)})`;
  // SQLite's substr counts characters (code points), not UTF-16 units.
  const moved = sql`${to} || substr(folder, ${[...from].length + 1})`;
  let changes: number;
  try {
    const [, update] = await db.batch([
      abortUnless(
        db,
        TOO_DEEP,
        sql`NOT EXISTS (SELECT 1 FROM media WHERE ${inside} AND (length(${moved}) > ${MAX_FOLDER_CHARS}
          OR length(${moved}) - length(replace(${moved}, '/', '')) > ${MAX_DEPTH}))`,
      ),
      rawInBatch(
        db,
        sql`UPDATE media SET folder = ${moved}, updated_at = ${now.toISOString()} WHERE ${inside}`,
      ),
      bumpCacheVersion(db, ownerId),
    ]);
    changes = (update as unknown as D1Result).meta?.changes ?? 0;
  } catch (error) {
    if (isBatchAbort(error, TOO_DEEP))
      throw new ApiError(
        422,
        "invalid_move",
        `Moved there, some folders would nest deeper than ${MAX_DEPTH} or be longer than ${MAX_FOLDER_CHARS} characters.`,
      );
    throw error;
  }
  if (changes === 0) throw notFound("folder");
  return changes;
}

export interface FolderNode {
  path: string;
  name: string;
  files: number;
  bytes: number;
  /** Including every sub-folder. */
  totalFiles: number;
  totalBytes: number;
  children: FolderNode[];
}

export async function folderTree(db: Db, ownerId: string): Promise<FolderNode> {
  const rows = await db
    .select({
      folder: media.folder,
      files: sql<number>`count(*)`,
      bytes: sql<number>`coalesce(sum(${media.size}), 0)`,
    })
    .from(media)
    .where(and(eq(media.ownerId, ownerId), isNull(media.trashedAt)))
    .groupBy(media.folder)
    .all();
  const root: FolderNode = {
    path: "/",
    name: "",
    files: 0,
    bytes: 0,
    totalFiles: 0,
    totalBytes: 0,
    children: [],
  };
  const byPath = new Map([["/", root]]);
  const nodeFor = (path: string): FolderNode => {
    const hit = byPath.get(path);
    if (hit) return hit;
    const cut = path.lastIndexOf("/");
    const parent = nodeFor(cut === 0 ? "/" : path.slice(0, cut));
    const node: FolderNode = {
      path,
      name: path.slice(cut + 1),
      files: 0,
      bytes: 0,
      totalFiles: 0,
      totalBytes: 0,
      children: [],
    };
    parent.children.push(node);
    byPath.set(path, node);
    return node;
  };
  for (const row of rows) {
    const node = nodeFor(row.folder);
    node.files = row.files;
    node.bytes = row.bytes;
  }
  const total = (node: FolderNode): void => {
    node.children.sort((a, b) => a.name.localeCompare(b.name));
    node.totalFiles = node.files;
    node.totalBytes = node.bytes;
    for (const child of node.children) {
      total(child);
      node.totalFiles += child.totalFiles;
      node.totalBytes += child.totalBytes;
    }
  };
  total(root);
  return root;
}
