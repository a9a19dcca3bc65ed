import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import type { Principal } from "../app-env";
import { type Db, rawInBatch } from "../db/client";
import { inList } from "../db/in-list";
import { type Job, type JobStatus, jobs, taskExecutions } from "../db/jobs-schema";
import { notFound } from "../errors";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { actsForEveryone } from "../policy";

export interface JobListQuery {
  type?: string;
  status?: JobStatus;
  from?: string;
  to?: string;
  parentId?: string;
  limit: number;
  cursor?: string;
}

/** Newest first. `ownerId` null lists every user's jobs (admins only; the route decides). */
export async function listJobs(db: Db, ownerId: string | null, query: JobListQuery) {
  const cursor = decodeCursor(query.cursor);
  const conditions = [];
  if (ownerId) conditions.push(eq(jobs.userId, ownerId));
  if (query.type) conditions.push(eq(jobs.type, query.type));
  if (query.status) conditions.push(eq(jobs.status, query.status));
  if (query.from) conditions.push(gte(jobs.createdAt, query.from));
  if (query.to) conditions.push(lte(jobs.createdAt, query.to));
  if (query.parentId) conditions.push(eq(jobs.parentId, query.parentId));
  const page = keyset(jobs.createdAt, jobs.id, cursor, { descending: true });
  if (page.after) conditions.push(page.after);
  const rows = await db
    .select()
    .from(jobs)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (j) => j.createdAt);
}

/** The job if the caller owns it (or acts for everyone, see policy); otherwise 404, never revealing it exists. */
export async function getVisibleJob(db: Db, principal: Principal, jobId: string): Promise<Job> {
  const job = await db.select().from(jobs).where(eq(jobs.id, jobId)).get();
  if (!job || (job.userId !== principal.userId && !actsForEveryone(principal))) throw notFound("job");
  return job;
}

export async function childIds(db: Db, parentId: string): Promise<string[]> {
  const rows = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.parentId, parentId)).all();
  return rows.map((r) => r.id);
}

export function listAttempts(db: Db, jobId: string) {
  return db
    .select()
    .from(taskExecutions)
    .where(eq(taskExecutions.jobId, jobId))
    .orderBy(asc(taskExecutions.attempt))
    .all();
}

/**
 * Puts failed jobs back in the queue (admin). The credits were released when they failed and are
 * not reserved again: a retry we owe the user is on us. Returns the ids that were requeued.
 */
export async function requeueFailed(
  db: Db,
  jobIds: string[] | "all",
  now: Date,
  limit = 500,
): Promise<{ id: string; type: string }[]> {
  const nowIso = now.toISOString();
  const where =
    jobIds === "all"
      ? eq(jobs.status, "failed")
      : and(eq(jobs.status, "failed"), inList(jobs.id, jobIds.slice(0, limit)));
  const targets = await db
    .select({ id: jobs.id, type: jobs.type })
    .from(jobs)
    .where(where)
    .limit(limit)
    .all();
  if (targets.length === 0) return [];
  const picked = inList(
    sql`id`,
    targets.map((t) => t.id),
  );
  await db.batch([
    // The outbox rows first, for exactly the jobs this request moves (still failed), then the move.
    rawInBatch(
      db,
      sql`INSERT INTO outbox (id, topic, payload, created_at)
        SELECT 'evt_' || lower(hex(randomblob(10))), 'job.created',
          json_object('jobId', id, 'type', type, 'retry', json('true')), ${nowIso}
        FROM jobs WHERE ${picked} AND status = 'failed'`,
    ),
    db
      .update(jobs)
      .set({
        status: "queued",
        errorCode: null,
        errorMessage: null,
        finishedAt: null,
        cancelRequestedAt: null,
        progress: { stage: "queued", done: 0, total: 1, percent: 0 },
        updatedAt: nowIso,
      })
      .where(and(picked, eq(jobs.status, "failed"))),
  ]);
  return targets;
}

/** Counts per type and status, and how many jobs ended in the dead-letter queue. */
export async function jobStats(db: Db) {
  const byStatus = await db
    .select({ type: jobs.type, status: jobs.status, count: sql<number>`count(*)` })
    .from(jobs)
    .groupBy(jobs.type, jobs.status)
    .all();
  const dead = await db
    .select({ count: sql<number>`count(*)` })
    .from(jobs)
    .where(and(eq(jobs.status, "failed"), eq(jobs.errorCode, "attempts_exhausted")))
    .get();
  return { byStatus, deadLettered: dead?.count ?? 0 };
}
