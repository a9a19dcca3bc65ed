import { and, eq, gte, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Job, type JobStatus, jobs } from "../db/jobs-schema";
import { media, users } from "../db/schema";
import { notFound } from "../errors";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { listAttempts } from "./queries";

/**
 * The admin's job explorer: every user's jobs with their owner, filtered and searched by what the
 * job was given. The same filter selects what a bulk replay or cancel acts on (bulk.ts), so the
 * count shown before confirming is the count of exactly those jobs.
 */
export interface JobFilter {
  type?: string;
  status?: JobStatus;
  /** Owner: a user id, or an exact email. */
  owner?: string;
  errorCode?: string;
  /** Jobs given this media id (`input.mediaId`, or one of `input.mediaIds`). */
  mediaId?: string;
  /** Jobs whose source file's name contains this (case-insensitive). */
  q?: string;
  from?: string;
  to?: string;
  /**
   * Child jobs of a group (a batch's traces) too. Off by default: the list then counts what the
   * Activity chart counts (jobs without a parent, by creation day).
   */
  children?: boolean;
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;

export function filterConditions(filter: JobFilter): SQL[] {
  const where: SQL[] = [];
  if (!filter.children) where.push(isNull(jobs.parentId));
  if (filter.type) where.push(eq(jobs.type, filter.type));
  if (filter.status) where.push(eq(jobs.status, filter.status));
  if (filter.errorCode) where.push(eq(jobs.errorCode, filter.errorCode));
  if (filter.from) where.push(gte(jobs.createdAt, filter.from));
  if (filter.to) where.push(lte(jobs.createdAt, filter.to));
  if (filter.owner) {
    where.push(
      filter.owner.includes("@")
        ? sql`${jobs.userId} = (SELECT id FROM users WHERE email = ${filter.owner.trim().toLowerCase()})`
        : eq(jobs.userId, filter.owner),
    );
  }
  if (filter.mediaId) {
    where.push(
      sql`(json_extract(${jobs.input}, '$.mediaId') = ${filter.mediaId}
        OR EXISTS (SELECT 1 FROM json_each(${jobs.input}, '$.mediaIds') WHERE value = ${filter.mediaId}))`,
    );
  }
  if (filter.q) {
    where.push(
      sql`EXISTS (SELECT 1 FROM media m WHERE m.id = json_extract(${jobs.input}, '$.mediaId')
        AND m.name_key LIKE ${likePattern(filter.q)} ESCAPE '\\')`,
    );
  }
  return where;
}

export interface ExplorerRow extends Job {
  ownerEmail: string | null;
}

/** Newest first, keyset-paged, with the owner's email. */
export async function exploreJobs(db: Db, filter: JobFilter, page: { limit: number; cursor?: string }) {
  const where = filterConditions(filter);
  const keys = keyset(jobs.createdAt, jobs.id, decodeCursor(page.cursor), { descending: true });
  if (keys.after) where.push(keys.after);
  const rows = await db
    .select({ job: jobs, ownerEmail: users.email })
    .from(jobs)
    .leftJoin(users, eq(users.id, jobs.userId))
    .where(and(...where))
    .orderBy(...keys.orderBy)
    .limit(page.limit + 1)
    .all();
  const flat: ExplorerRow[] = rows.map((r) => ({ ...r.job, ownerEmail: r.ownerEmail }));
  return toPage(flat, page.limit, (j) => j.createdAt);
}

/** How many jobs a filter selects (the count shown before a bulk action). */
export async function countJobs(db: Db, filter: JobFilter, extra: SQL[] = []): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(jobs)
    .where(and(...filterConditions(filter), ...extra))
    .get();
  return row?.n ?? 0;
}

/**
 * One job as the admin opens it: the job, its owner, every attempt, what it replays and what
 * replayed it, and the file it was given (a job input names its file by `mediaId`), whoever owns it.
 */
export async function jobDetail(db: Db, jobId: string) {
  const row = await db
    .select({ job: jobs, ownerEmail: users.email })
    .from(jobs)
    .leftJoin(users, eq(users.id, jobs.userId))
    .where(eq(jobs.id, jobId))
    .get();
  if (!row) throw notFound("job");
  const sourceId = typeof row.job.input.mediaId === "string" ? row.job.input.mediaId : null;
  const [attempts, replayedBy, source] = await Promise.all([
    listAttempts(db, jobId),
    db.select({ id: jobs.id }).from(jobs).where(eq(jobs.replayOf, jobId)).get(),
    sourceId ? db.select().from(media).where(eq(media.id, sourceId)).get() : undefined,
  ]);
  return {
    job: row.job,
    owner: { id: row.job.userId, email: row.ownerEmail },
    attempts,
    replayedBy: replayedBy?.id ?? null,
    source: source ?? null,
  };
}
