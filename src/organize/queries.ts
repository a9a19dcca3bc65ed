import { and, asc, desc, eq, gt, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { inList } from "../db/in-list";
import {
  type FileStatus,
  type MatchKind,
  type OrganizeFile,
  type OrganizePlan,
  organizeFiles,
} from "../db/organize-schema";
import { ApiError } from "../errors";
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
    rule: f.ruleId,
    tags: f.newTags,
    width: f.width,
    height: f.height,
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

const MATCH_LEVEL: Record<MatchKind, number> = { bytes: 0, pixels: 1, similar: 2 };

/**
 * Duplicate groups of one kind, in key order, with every member. The plan's own `match` kind lists
 * its groups; a finer kind is read from the same records (byte twins are pixel twins are
 * look-alikes), grouped by SHA-256 or pixel hash. `totals` cover the whole plan.
 */
export async function listDuplicates(
  db: Db,
  plan: Pick<OrganizePlan, "jobId" | "match">,
  query: { match?: MatchKind; limit: number; cursor?: string },
) {
  const match = query.match ?? plan.match;
  if (MATCH_LEVEL[match] > MATCH_LEVEL[plan.match])
    throw new ApiError(
      409,
      "match_not_planned",
      `This plan looked for ${plan.match === "bytes" ? "identical bytes" : "identical pixels"} only; make a plan with match: "${match}" to review ${match} groups.`,
    );
  const planId = plan.jobId;
  const column =
    match === plan.match
      ? organizeFiles.dupGroup
      : match === "bytes"
        ? organizeFiles.sha256
        : organizeFiles.pixelHash;
  const cursor = decodeCursor(query.cursor);
  const inPlan = and(eq(organizeFiles.jobId, planId), isNotNull(organizeFiles.dupGroup), isNotNull(column));
  const groups = await db
    .select({
      key: sql<string>`${column}`,
      count: sql<number>`count(*)`,
      size: sql<number>`max(${organizeFiles.size})`,
      totalBytes: sql<number>`sum(${organizeFiles.size})`,
    })
    .from(organizeFiles)
    .where(and(inPlan, cursor ? gt(column, String(cursor.after)) : undefined))
    .groupBy(column)
    .having(sql`count(*) > 1`)
    .orderBy(asc(column))
    .limit(query.limit + 1)
    .all();
  const page = groups.slice(0, query.limit);
  const members = page.length
    ? await db
        .select()
        .from(organizeFiles)
        .where(
          and(
            inPlan,
            inList(
              column,
              page.map((g) => g.key),
            ),
          ),
        )
        .orderBy(asc(column), asc(organizeFiles.mediaCreatedAt), asc(organizeFiles.mediaId))
        .all()
    : [];
  const totals = await db
    .select({
      groups: sql<number>`count(DISTINCT ${organizeFiles.dupGroup})`,
      files: sql<number>`count(*)`,
      reclaimableBytes: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN ${organizeFiles.size} ELSE 0 END), 0)`,
    })
    .from(organizeFiles)
    .where(and(eq(organizeFiles.jobId, planId), isNotNull(organizeFiles.dupGroup)))
    .get();
  const keyOf = (f: OrganizeFile) =>
    match === plan.match ? f.dupGroup : match === "bytes" ? f.sha256 : f.pixelHash;
  const last = page.at(-1);
  return {
    match,
    groups: page.map((g) => {
      const files = members.filter((m) => keyOf(m) === g.key);
      const keep = files.find((f) => f.dupOf === null);
      return {
        key: g.key,
        sha256: g.key,
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
    nextCursor: groups.length > query.limit && last ? encodeCursor({ after: last.key, id: last.key }) : null,
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
