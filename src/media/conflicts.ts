import { and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { abortUnless } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { type Media, media } from "../db/schema";
import { ApiError } from "../errors";
import { nameVariant } from "./names";

/**
 * What an upload does when its folder already has a live file of the same name (case-insensitive):
 * `rename` (default) stores it as `name (n).ext` with the lowest n above those in use, `replace`
 * moves the old file(s) to the trash in the same batch, `skip` stores nothing and answers with the
 * file that is there. Every upload path commits through `commitMedia` (library.ts), which applies
 * this; the decision is re-checked inside the commit batch (`nameFreeGuard`), so two uploads racing
 * for one name never both get it.
 */
export const ON_CONFLICT = ["rename", "replace", "skip"] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

export type Resolution = "renamed" | "replaced" | "skipped";

/** The `onConflict` form field (or query parameter), checked. */
export function parseOnConflict(raw: string | undefined): OnConflict {
  const value = raw?.trim() || "rename";
  if (!(ON_CONFLICT as readonly string[]).includes(value)) {
    const message = `onConflict is one of ${ON_CONFLICT.join(", ")}.`;
    throw new ApiError(422, "validation_failed", message, {
      errors: [{ path: "onConflict", message, code: "invalid_enum_value" }],
    });
  }
  return value as OnConflict;
}

export const NAME_TAKEN = "media-name-taken";

const liveNamed = (ownerId: string, folder: string, nameKey: string) =>
  and(
    eq(media.ownerId, ownerId),
    eq(media.folder, folder),
    eq(media.nameKey, nameKey),
    isNull(media.trashedAt),
  );

/** The live file(s) in `folder` called `name` (any case), oldest first. */
export function sameName(db: Db, ownerId: string, folder: string, name: string): Promise<Media[]> {
  return db
    .select()
    .from(media)
    .where(liveNamed(ownerId, folder, name.toLowerCase()))
    .orderBy(media.createdAt, media.id)
    .all();
}

/** `name (n).ext` with n one above the highest such variant live in the folder (one index range seek). */
export async function nextFreeName(db: Db, ownerId: string, folder: string, name: string): Promise<string> {
  const key = name.toLowerCase();
  const dot = key.lastIndexOf(".");
  const [prefix, suffix] = dot <= 0 ? [`${key} (`, ")"] : [`${key.slice(0, dot)} (`, `)${key.slice(dot)}`];
  // Range bounds instead of LIKE: D1 refuses LIKE patterns over 50 bytes, and names are longer.
  const row = await db.get<{ n: number | null }>(
    sql`SELECT max(CAST(substr(name_key, ${prefix.length + 1}, length(name_key) - ${prefix.length + suffix.length}) AS INTEGER)) AS n
      FROM media WHERE owner_id = ${ownerId} AND folder = ${folder} AND trashed_at IS NULL
      AND name_key >= ${`${prefix}0`} AND name_key < ${`${prefix}:`}
      AND substr(name_key, -${suffix.length}) = ${suffix}`,
  );
  return nameVariant(name, Number(row?.n ?? 0) + 1);
}

/** Aborts the commit batch when a live file took `name` in `folder` since the name was chosen. */
export const nameFreeGuard = (db: Db, ownerId: string, folder: string, name: string): BatchItem<"sqlite"> =>
  abortUnless(
    db,
    NAME_TAKEN,
    sql`NOT EXISTS (SELECT 1 FROM media WHERE owner_id = ${ownerId} AND folder = ${folder}
      AND name_key = ${name.toLowerCase()} AND trashed_at IS NULL)`,
  );

/** `replace`: the old file(s) of that name go to the trash in the new file's batch. */
export const trashSameName = (db: Db, ownerId: string, folder: string, name: string, nowIso: string) =>
  rawInBatch(
    db,
    sql`UPDATE media SET trashed_at = ${nowIso}, updated_at = ${nowIso} WHERE owner_id = ${ownerId}
      AND folder = ${folder} AND name_key = ${name.toLowerCase()} AND trashed_at IS NULL`,
  );
