import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { ApiError } from "../errors";
import { normalizeFolder } from "../media/names";

/**
 * Protected folders ("originals"): no plan moves, renames, re-tags, stacks or trashes a file in one
 * (or under one), none sends a file into one, and a rollback never touches one either. Their files
 * count as the copy to keep in a duplicate group.
 */

export const MAX_PROTECTED_FOLDERS = 50;

/** Normalized, de-duplicated, without folders already covered by another; the root can't be protected. */
export function normalizeProtectedFolders(raw: string[]): string[] {
  if (raw.length > MAX_PROTECTED_FOLDERS)
    throw invalid(`At most ${MAX_PROTECTED_FOLDERS} protected folders.`);
  const folders = [...new Set(raw.map((f, i) => normalizeFolder(f, `protectedFolders.${i}`)))];
  if (folders.includes("/"))
    throw invalid("The whole library (/) can't be protected: nothing could be organized.");
  return folders.filter((f) => !folders.some((other) => other !== f && isUnder(f, other))).sort();
}

const invalid = (message: string) =>
  new ApiError(422, "invalid_protected_folders", message, {
    errors: [{ path: "protectedFolders", message, code: "invalid_protected_folders" }],
  });

/** `folder` is `root` or inside it. */
export const isUnder = (folder: string, root: string) =>
  root === "/" || folder === root || folder.startsWith(`${root}/`);

export const isProtected = (folder: string, protectedFolders: readonly string[]) =>
  protectedFolders.some((root) => isUnder(folder, root));

/**
 * SQL: `column` (a folder) lies in one of `protectedFolders` — compared with substr, not LIKE (D1
 * caps LIKE patterns at 50 bytes, and folders are user text). The list is one JSON parameter.
 */
export function protectedCondition(column: SQLWrapper, protectedFolders: readonly string[]): SQL {
  if (protectedFolders.length === 0) return sql`0`;
  return sql`EXISTS (SELECT 1 FROM json_each(${JSON.stringify(protectedFolders)}) p
    WHERE ${column} = p.value OR substr(${column}, 1, length(p.value) + 1) = p.value || '/')`;
}
