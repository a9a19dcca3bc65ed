import { and, asc, desc, eq, gt, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type FileStatus, type OrganizeFile, organizeFiles } from "../db/organize-schema";
import { decodeCursor, encodeCursor, keyset } from "../lib/pagination";
import { joinPath } from "./template";

/** A file record as clients see it (API.md: `{mediaId, originalPath, newPath, category, size, sha256, status}` + more). */
export function toFileView(f: OrganizeFile) {
  return {
    mediaId: f.mediaId,
    originalPath: joinPath(f.originalFolder, f.originalName),
    newPath: f.newFolder !== null && f.newName !== null ? joinPath(f.newFolder, f.newName) : null,
    category: f.category,
    mime: f.mime,
    size: f.size,
    sha256: f.sha256,
    action: f.action,
    status: f.status,
    reason: f.reason,
    duplicateOf: f.dupOf,
  };
}

export type FileView = ReturnType<typeof toFileView>;

export const FILE_SORTS = ["id", "path", "-path", "size", "-size"] as const;
export type FileSort = (typeof FILE_SORTS)[number];

export interface FileQuery {
  status?: FileStatus;
  category?: string;
  sort: FileSort;
  limit: number;
  cursor?: string;
}

const pathExpr = sql`(${organizeFiles.originalFolder} || '/' || ${organizeFiles.originalNameKey})`;

export async function listFiles(db: Db, planId: string, query: FileQuery) {
  const conditions: (SQL | undefined)[] = [eq(organizeFiles.jobId, planId)];
  if (query.status) conditions.push(eq(organizeFiles.status, query.status));
  if (query.category) conditions.push(eq(organizeFiles.category, query.category));
  const descending = query.sort.startsWith("-");
  const field = query.sort.replace("-", "") as "id" | "path" | "size";
  const column: SQL =
    field === "size"
      ? sql`${organizeFiles.size}`
      : field === "path"
        ? pathExpr
        : sql`${organizeFiles.mediaId}`;
  const page = keyset(column, organizeFiles.mediaId, decodeCursor(query.cursor), {
    descending,
    numeric: field === "size",
  });
  const rows = await db
    .select()
    .from(organizeFiles)
    .where(and(...conditions, page.after))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const sortValue = (f: OrganizeFile) =>
    field === "size" ? f.size : field === "path" ? `${f.originalFolder}/${f.originalNameKey}` : f.mediaId;
  return {
    items: items.map(toFileView),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ after: sortValue(last), id: last.mediaId }) : null,
  };
}

/** Duplicate groups in SHA order, with every member; `totals` cover the whole plan. */
export async function listDuplicates(db: Db, planId: string, query: { limit: number; cursor?: string }) {
  const cursor = decodeCursor(query.cursor);
  const inPlan = and(eq(organizeFiles.jobId, planId), isNotNull(organizeFiles.dupGroup));
  const groups = await db
    .select({
      sha256: sql<string>`${organizeFiles.dupGroup}`,
      count: sql<number>`count(*)`,
      size: sql<number>`max(${organizeFiles.size})`,
      totalBytes: sql<number>`sum(${organizeFiles.size})`,
    })
    .from(organizeFiles)
    .where(and(inPlan, cursor ? gt(organizeFiles.dupGroup, String(cursor.after)) : undefined))
    .groupBy(organizeFiles.dupGroup)
    .orderBy(asc(organizeFiles.dupGroup))
    .limit(query.limit + 1)
    .all();
  const page = groups.slice(0, query.limit);
  const members = page.length
    ? await db
        .select()
        .from(organizeFiles)
        .where(
          and(
            eq(organizeFiles.jobId, planId),
            inArray(
              organizeFiles.dupGroup,
              sql`(SELECT value FROM json_each(${JSON.stringify(page.map((g) => g.sha256))}))`,
            ),
          ),
        )
        .orderBy(asc(organizeFiles.dupGroup), asc(organizeFiles.mediaCreatedAt), asc(organizeFiles.mediaId))
        .all()
    : [];
  const totals = await db
    .select({
      groups: sql<number>`count(DISTINCT ${organizeFiles.dupGroup})`,
      files: sql<number>`count(*)`,
      reclaimableBytes: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN ${organizeFiles.size} ELSE 0 END), 0)`,
    })
    .from(organizeFiles)
    .where(inPlan)
    .get();
  const last = page.at(-1);
  return {
    groups: page.map((g) => {
      const files = members.filter((m) => m.dupGroup === g.sha256);
      const keep = files.find((f) => f.dupOf === null);
      return {
        sha256: g.sha256,
        count: g.count,
        size: g.size,
        totalBytes: g.totalBytes,
        reclaimableBytes: g.totalBytes - g.size,
        keep: keep?.mediaId ?? null,
        files: files.map(toFileView),
      };
    }),
    totals: {
      groups: totals?.groups ?? 0,
      files: totals?.files ?? 0,
      reclaimableBytes: totals?.reclaimableBytes ?? 0,
    },
    nextCursor:
      groups.length > query.limit && last ? encodeCursor({ after: last.sha256, id: last.sha256 }) : null,
  };
}

export async function categoryBreakdown(db: Db, planId: string) {
  return db
    .select({
      category: organizeFiles.category,
      files: sql<number>`count(*)`,
      bytes: sql<number>`coalesce(sum(${organizeFiles.size}), 0)`,
    })
    .from(organizeFiles)
    .where(eq(organizeFiles.jobId, planId))
    .groupBy(organizeFiles.category)
    .orderBy(desc(sql`count(*)`), asc(organizeFiles.category))
    .all();
}

/** Every record of a plan, a page at a time, for streamed reports (memory stays one page). */
export async function* allFiles(db: Db, planId: string, pageSize = 500): AsyncGenerator<OrganizeFile[]> {
  let after = "";
  for (;;) {
    const rows = await db
      .select()
      .from(organizeFiles)
      .where(and(eq(organizeFiles.jobId, planId), gt(organizeFiles.mediaId, after)))
      .orderBy(asc(organizeFiles.mediaId))
      .limit(pageSize)
      .all();
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.mediaId;
  }
}
