import { and, eq, isNull, lt, not, notInArray, or, sql } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { jobs, taskExecutions } from "../db/jobs-schema";
import { outbox } from "../db/schema";
import type { Delivery } from "./create";
import { enqueueJobs } from "./dispatch";
import { leaseSecondsOf } from "./lifecycle";
import type { JobRegistry } from "./registry";

/**
 * Capped exponential backoff with jitter: attempt 1 → 50–100 % of `base` seconds, doubling each
 * attempt, at most 10 min. A base of 0 retries at once (tests).
 */
export function backoffSeconds(attempt: number, base = 10, random: () => number = Math.random): number {
  if (base <= 0) return 0;
  const ceiling = Math.min(600, base * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

/** Queued jobs wait at most this long for a delivery; the longest retry backoff is 10 minutes. */
const STRANDED_QUEUED_MS = 15 * 60_000;

/**
 * Jobs the scheduled handler hands back to the queue:
 * - running ones whose lease ran out (the consumer died);
 * - queued ones with no backoff pending — never attempted, or whose last attempt ended `continued`
 *   (a chunk checkpointed and asked for the next one) — untouched for longer than `owedWithinMs`:
 *   their message was sent at once, so it was lost (e.g. `wrangler dev` restarted: local queues live
 *   in memory) or is stuck behind a long backlog. Without this a chunked job killed between chunks
 *   would wait the full `STRANDED_QUEUED_MS`;
 * - queued ones after a failed attempt (`retry`, whose message carries a backoff delay) nobody has
 *   touched for longer than any backoff.
 * Group jobs never get messages. A message for a job that doesn't need one is harmless: the claim
 * refuses a finished or leased job, and a job's chunks run one at a time behind its lease, so a
 * duplicate at most takes the next chunk in place of the original message.
 */
export async function strandedJobs(
  db: Db,
  registry: JobRegistry,
  now: Date,
  owedWithinMs: number,
  limit = 100,
) {
  const stranded = new Date(now.getTime() - STRANDED_QUEUED_MS).toISOString();
  const owedSince = new Date(now.getTime() - owedWithinMs).toISOString();
  const groups = registry
    .all()
    .filter((t) => t.kind === "group")
    .map((t) => t.name);
  // The last attempt is the one numbered `attempts` (each claim adds one, with its execution row).
  const backoffPending = sql`EXISTS (SELECT 1 FROM ${taskExecutions} WHERE ${taskExecutions.jobId} = ${jobs.id}
    AND ${taskExecutions.attempt} = ${jobs.attempts} AND ${taskExecutions.outcome} = 'retry')`;
  return db
    .select({ id: jobs.id, type: jobs.type })
    .from(jobs)
    .where(
      or(
        and(eq(jobs.status, "running"), lt(jobs.leaseUntil, now.toISOString())),
        and(
          eq(jobs.status, "queued"),
          notInArray(jobs.type, groups),
          or(lt(jobs.updatedAt, stranded), and(lt(jobs.updatedAt, owedSince), not(backoffPending))),
        ),
      ),
    )
    .limit(limit)
    .all();
}

/** The deliveries for rows read back from D1; a type no longer registered has no queue and is left alone. */
export function deliveriesFor(registry: JobRegistry, rows: { id: string; type: string }[]): Delivery[] {
  const out: Delivery[] = [];
  for (const row of rows) {
    const type = registry.get(row.type);
    if (type?.kind === "queued") out.push({ id: row.id, type });
  }
  return out;
}

/**
 * Scheduled: resend job messages the outbox still holds (older than a minute, so the request that
 * made them had its chance), and hand stranded jobs (see `strandedJobs`) back to their queue. A
 * queued job with no backoff pending is owed its delivery within one lease: the same silence after
 * which a running job's consumer counts as dead.
 */
export async function recoverJobs(
  env: Env,
  registry: JobRegistry,
  now: Date,
): Promise<{ relayed: number; recovered: number }> {
  const db = getDb(env.DB);
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  const pending = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.topic, "job.created"), isNull(outbox.deliveredAt), lt(outbox.createdAt, minuteAgo)))
    .limit(500)
    .all();
  const relay = deliveriesFor(
    registry,
    pending.map((row) => ({ id: String(row.payload.jobId), type: String(row.payload.type) })),
  );
  await enqueueJobs(env, db, relay, now);
  const stale = deliveriesFor(registry, await strandedJobs(db, registry, now, leaseSecondsOf(env) * 1000));
  for (const type of new Set(stale.map((j) => j.type))) {
    await type
      .queue(env)
      .sendBatch(stale.filter((j) => j.type === type).map((j) => ({ body: { jobId: j.id } })));
  }
  return { relayed: relay.length, recovered: stale.length };
}
