import { and, eq, gte, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { startsWith } from "../db/prefix";
import { media, users } from "../db/schema";
import { notFound } from "../errors";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { toPublic } from "./library";
import type { MediaKind } from "./sniff";

/** Reading the library: listing with filters, search and cursors, and the owner's statistics. */

export const SORTS = ["name", "-name", "date", "-date", "taken", "-taken", "size", "-size"] as const;
export const KINDS = ["image", "video", "audio", "document", "archive", "text", "other"] as const;
/** `type=`: a kind, a MIME type, or a top-level type with `/*`. Anything else is a 422, like a bad sort. */
export const TYPE_FILTER_PATTERN = `^(?:${KINDS.join("|")}|[a-z]+/(?:\\*|[a-z0-9][a-z0-9.+-]*))$`;
export type Sort = (typeof SORTS)[number];

export interface ListQuery {
  q?: string;
  type?: string;
  tag?: string;
  folder?: string;
  subfolders: boolean;
  from?: string;
  to?: string;
  takenFrom?: string;
  takenTo?: string;
  minSize?: number;
  maxSize?: number;
  sort: Sort;
  trashed: boolean;
  /** Also list stacked duplicates (a stack shows only its kept file otherwise). */
  stacked?: boolean;
  limit: number;
  cursor?: string;
}

/** Free text → an FTS5 query of quoted prefix terms (no operators from user input). */
export function ftsQuery(q: string): string | null {
  const terms = q
    .normalize("NFC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 16);
  return terms.length ? terms.map((t) => `"${t}"*`).join(" ") : null;
}

export function folderCondition(folder: string, subfolders: boolean): SQL | undefined {
  if (!subfolders) return eq(media.folder, folder);
  if (folder === "/") return undefined;
  return or(eq(media.folder, folder), startsWith(media.folder, `${folder}/`));
}

export async function listMedia(db: Db, ownerId: string, query: ListQuery) {
  const conditions: (SQL | undefined)[] = [
    eq(media.ownerId, ownerId),
    query.trashed ? isNotNull(media.trashedAt) : isNull(media.trashedAt),
  ];
  if (!query.stacked) conditions.push(isNull(media.stackOf));
  if (query.type) {
    if (query.type.endsWith("/*")) conditions.push(startsWith(media.mime, query.type.slice(0, -1)));
    else if (query.type.includes("/")) conditions.push(eq(media.mime, query.type));
    else conditions.push(eq(media.kind, query.type as MediaKind));
  }
  if (query.tag) {
    conditions.push(
      sql`EXISTS (SELECT 1 FROM media_tags t WHERE t.media_id = ${media.id} AND t.owner_id = ${ownerId} AND t.tag = ${query.tag})`,
    );
  }
  if (query.folder) conditions.push(folderCondition(query.folder, query.subfolders));
  if (query.from) conditions.push(gte(media.createdAt, query.from));
  if (query.to) conditions.push(lt(media.createdAt, query.to));
  if (query.takenFrom) conditions.push(gte(media.takenAt, query.takenFrom));
  if (query.takenTo) conditions.push(lt(media.takenAt, query.takenTo));
  if (query.minSize !== undefined) conditions.push(gte(media.size, query.minSize));
  if (query.maxSize !== undefined) conditions.push(lte(media.size, query.maxSize));
  if (query.q) {
    const match = ftsQuery(query.q);
    if (match)
      conditions.push(sql`media.rowid IN (SELECT rowid FROM media_fts WHERE media_fts MATCH ${match})`);
  }

  const descending = query.sort.startsWith("-");
  const field = query.sort.replace("-", "") as "name" | "date" | "taken" | "size";
  const column =
    field === "name"
      ? media.nameKey
      : field === "size"
        ? media.size
        : field === "taken"
          ? media.takenSort
          : media.createdAt;
  const order = keyset(column, media.id, decodeCursor(query.cursor), {
    descending,
    numeric: field === "size",
  });
  const rows = await db
    .select()
    .from(media)
    .where(and(...conditions, order.after))
    .orderBy(...order.orderBy)
    .limit(query.limit + 1)
    .all();
  const page = toPage(rows, query.limit, (r) =>
    field === "name" ? r.nameKey : field === "size" ? r.size : field === "taken" ? r.takenSort! : r.createdAt,
  );
  return { items: page.items.map(toPublic), nextCursor: page.nextCursor };
}

export async function mediaStats(db: Db, ownerId: string) {
  const live = and(eq(media.ownerId, ownerId), isNull(media.trashedAt));
  const topFolder = sql<string>`CASE WHEN ${media.folder} = '/' THEN '/' WHEN instr(substr(${media.folder}, 2), '/') = 0 THEN ${media.folder}
    ELSE substr(${media.folder}, 1, instr(substr(${media.folder}, 2), '/')) END`;
  const count = sql<number>`count(*)`;
  const bytes = sql<number>`coalesce(sum(${media.size}), 0)`;
  const [byKind, byFolder, trash, user] = await Promise.all([
    db.select({ kind: media.kind, files: count, bytes }).from(media).where(live).groupBy(media.kind).all(),
    db.select({ folder: topFolder, files: count, bytes }).from(media).where(live).groupBy(topFolder).all(),
    db
      .select({ files: count, bytes })
      .from(media)
      .where(and(eq(media.ownerId, ownerId), isNotNull(media.trashedAt)))
      .get(),
    db.select().from(users).where(eq(users.id, ownerId)).get(),
  ]);
  if (!user) throw notFound("user");
  return {
    files: byKind.reduce((n, r) => n + r.files, 0),
    bytes: byKind.reduce((n, r) => n + r.bytes, 0),
    byKind: byKind.sort((a, b) => a.kind.localeCompare(b.kind)),
    byFolder: byFolder.sort((a, b) => a.folder.localeCompare(b.folder)),
    trash: { files: trash?.files ?? 0, bytes: trash?.bytes ?? 0 },
    quota: {
      bytes: user.quotaBytes,
      files: user.quotaFiles,
      usedBytes: user.usedBytes,
      usedFiles: user.usedFiles,
    },
  };
}
