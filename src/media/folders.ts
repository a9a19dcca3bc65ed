import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { media } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { bumpCacheVersion } from "./cache";
import { escapeLike } from "./queries";

/** Folders are a column of media rows: moving one is a row update, the tree is a GROUP BY. */

/** Moves a folder (and everything under it) to a new path in one statement; rename is a move. */
export async function moveFolder(
  db: Db,
  ownerId: string,
  from: string,
  to: string,
  now: Date,
): Promise<number> {
  if (from === "/") throw new ApiError(422, "invalid_move", "The root folder can't be moved.");
  if (to === from || to.startsWith(`${from}/`))
    throw new ApiError(422, "invalid_move", "A folder can't be moved into itself.");
  const inside = sql`owner_id = ${ownerId} AND (folder = ${from} OR folder LIKE ${`${escapeLike(from)}/%`} ESCAPE '\\')`;
  const [moved] = await db.batch([
    rawInBatch(
      db,
      sql`UPDATE media SET folder = ${to} || substr(folder, ${from.length + 1}), updated_at = ${now.toISOString()} WHERE ${inside}`,
    ),
    bumpCacheVersion(db, ownerId),
  ]);
  const changes = (moved as unknown as D1Result).meta?.changes ?? 0;
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
