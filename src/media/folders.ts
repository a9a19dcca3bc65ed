import { and, eq, isNull, sql } from "drizzle-orm";
import { abortUnless, isBatchAbort } from "../db/batch";
import { changesOf, type Db, rawInBatch } from "../db/client";
import { startsWith } from "../db/prefix";
import { folders, media } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { bumpCacheVersion } from "./cache";
import { MAX_DEPTH, MAX_FOLDER_CHARS } from "./names";

/**
 * Folders are a column of media rows: moving one is a row update, the tree is a GROUP BY. Folders
 * made on purpose are also rows of `folders`, so they exist while empty; every change below keeps
 * both in one batch.
 */

/** `path` and everything under it, for a column holding folder paths (a range, see `startsWith`). */
const subtree = (column: string, path: string) =>
  sql`(${sql.raw(column)} = ${path} OR ${startsWith(sql.raw(column), `${path}/`)})`;

const rootRefused = (what: string) =>
  new ApiError(422, "invalid_folder", `The root folder can't be ${what}.`);

/** `POST /folders`: an (empty) folder; its parents appear in the tree with it. True when it is new. */
export async function createFolder(db: Db, ownerId: string, path: string, now: Date): Promise<boolean> {
  if (path === "/") throw rootRefused("created: it always exists");
  const [inserted] = await db.batch([
    rawInBatch(
      db,
      sql`INSERT INTO folders (owner_id, path, created_at) VALUES (${ownerId}, ${path}, ${now.toISOString()})
        ON CONFLICT (owner_id, path) DO NOTHING`,
    ),
    bumpCacheVersion(db, ownerId),
  ]);
  return (changesOf(inserted) ?? 0) === 1;
}

/**
 * `DELETE /folders?path=`: every live file in the folder and its sub-folders goes to the trash (from
 * where it can be restored, which brings its folder back), and the folder rows go. One batch.
 */
export async function deleteFolder(db: Db, ownerId: string, path: string, now: Date): Promise<number> {
  if (path === "/") throw rootRefused("deleted");
  const nowIso = now.toISOString();
  const [trashed, removed] = await db.batch([
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = ${nowIso}, updated_at = ${nowIso}
        WHERE owner_id = ${ownerId} AND trashed_at IS NULL AND ${subtree("folder", path)}`,
    ),
    rawInBatch(db, sql`DELETE FROM folders WHERE owner_id = ${ownerId} AND ${subtree("path", path)}`),
    bumpCacheVersion(db, ownerId),
  ]);
  const files = changesOf(trashed) ?? 0;
  const folders = changesOf(removed) ?? 0;
  if (files === 0 && folders === 0) {
    const any = await db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM media WHERE owner_id = ${ownerId} AND ${subtree("folder", path)}`,
    );
    if (!any?.n) throw notFound("folder");
  }
  return files;
}

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
  const inside = sql`owner_id = ${ownerId} AND ${subtree("folder", from)}`;
  const folderRows = sql`owner_id = ${ownerId} AND ${subtree("path", from)}`;
  // SQLite's substr counts characters (code points), not UTF-16 units.
  const movedTo = (column: string) => sql`${to} || substr(${sql.raw(column)}, ${[...from].length + 1})`;
  const overflows = (column: string) => {
    const moved = movedTo(column);
    return sql`(length(${moved}) > ${MAX_FOLDER_CHARS}
      OR length(${moved}) - length(replace(${moved}, '/', '')) > ${MAX_DEPTH})`;
  };
  let changes: number;
  let folderChanges: number;
  try {
    const [, update, moveRows] = await db.batch([
      abortUnless(
        db,
        TOO_DEEP,
        sql`NOT EXISTS (SELECT 1 FROM media WHERE ${inside} AND ${overflows("folder")})
          AND NOT EXISTS (SELECT 1 FROM folders WHERE ${folderRows} AND ${overflows("path")})`,
      ),
      rawInBatch(
        db,
        sql`UPDATE media SET folder = ${movedTo("folder")}, updated_at = ${now.toISOString()} WHERE ${inside}`,
      ),
      // OR REPLACE: moving onto a folder that exists merges the two.
      rawInBatch(db, sql`UPDATE OR REPLACE folders SET path = ${movedTo("path")} WHERE ${folderRows}`),
      bumpCacheVersion(db, ownerId),
    ]);
    changes = changesOf(update) ?? 0;
    folderChanges = changesOf(moveRows) ?? 0;
  } catch (error) {
    if (isBatchAbort(error, TOO_DEEP))
      throw new ApiError(
        422,
        "invalid_move",
        `Moved there, some folders would nest deeper than ${MAX_DEPTH} or be longer than ${MAX_FOLDER_CHARS} characters.`,
      );
    throw error;
  }
  if (changes === 0 && folderChanges === 0) throw notFound("folder");
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
  const made = await db
    .select({ path: folders.path })
    .from(folders)
    .where(eq(folders.ownerId, ownerId))
    .all();
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
  for (const row of made) nodeFor(row.path);
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
