import { and, eq, gte, isNotNull, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { startsWith } from "../db/prefix";
import { type Media, media, users } from "../db/schema";
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

/** `type`: a family (`image/*`), a MIME type, or a kind. */
function typeCondition(type: string): SQL {
  if (type.endsWith("/*")) return startsWith(media.mime, type.slice(0, -1));
  if (type.includes("/")) return eq(media.mime, type);
  return eq(media.kind, type as MediaKind);
}

/** The date and size ranges asked for. */
function rangeConditions(query: ListQuery): (SQL | undefined)[] {
  return [
    query.from ? gte(media.createdAt, query.from) : undefined,
    query.to ? lt(media.createdAt, query.to) : undefined,
    query.takenFrom ? gte(media.takenAt, query.takenFrom) : undefined,
    query.takenTo ? lt(media.takenAt, query.takenTo) : undefined,
    query.minSize !== undefined ? gte(media.size, query.minSize) : undefined,
    query.maxSize !== undefined ? lte(media.size, query.maxSize) : undefined,
  ];
}

/** `q`: its words as prefixes, through the full-text index. */
function searchCondition(q: string | undefined): SQL | undefined {
  const match = q ? ftsQuery(q) : null;
  return match ? sql`media.rowid IN (SELECT rowid FROM media_fts WHERE media_fts MATCH ${match})` : undefined;
}

/** Each sort: its column, and the row's value of it for the cursor. */
const SORT_KEYS = {
  name: { column: media.nameKey, of: (r: Media) => r.nameKey },
  size: { column: media.size, of: (r: Media) => r.size },
  taken: { column: media.takenSort, of: (r: Media) => r.takenSort! },
  date: { column: media.createdAt, of: (r: Media) => r.createdAt },
};

export async function listMedia(db: Db, ownerId: string, query: ListQuery) {
  const conditions: (SQL | undefined)[] = [
    eq(media.ownerId, ownerId),
    query.trashed ? isNotNull(media.trashedAt) : isNull(media.trashedAt),
    query.stacked ? undefined : isNull(media.stackOf),
    query.type ? typeCondition(query.type) : undefined,
    query.tag
      ? sql`EXISTS (SELECT 1 FROM media_tags t WHERE t.media_id = ${media.id} AND t.owner_id = ${ownerId} AND t.tag = ${query.tag})`
      : undefined,
    query.folder ? folderCondition(query.folder, query.subfolders) : undefined,
    ...rangeConditions(query),
    searchCondition(query.q),
  ];

  const descending = query.sort.startsWith("-");
  const field = query.sort.replace("-", "") as keyof typeof SORT_KEYS;
  const sort = SORT_KEYS[field] ?? SORT_KEYS.date;
  const order = keyset(sort.column, media.id, decodeCursor(query.cursor), {
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
  const page = toPage(rows, query.limit, sort.of);
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
