import { and, eq, isNull, lt, notInArray, or } from "drizzle-orm";
import { type Db, getDb } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { outbox } from "../db/schema";
import type { Delivery } from "./create";
import { enqueueJobs } from "./dispatch";
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
 * Jobs the scheduled handler hands back to the queue: running ones whose lease ran out (the
 * consumer died), and queued ones nobody has touched for longer than any backoff (their message
 * was lost). Group jobs never get messages. Sending a message for a job that doesn't need one is
 * harmless: the claim refuses it.
 */
export async function strandedJobs(db: Db, registry: JobRegistry, now: Date, limit = 100) {
  const stranded = new Date(now.getTime() - STRANDED_QUEUED_MS).toISOString();
  const groups = registry
    .all()
    .filter((t) => t.kind === "group")
    .map((t) => t.name);
  return db
    .select({ id: jobs.id, type: jobs.type })
    .from(jobs)
    .where(
      or(
        and(eq(jobs.status, "running"), lt(jobs.leaseUntil, now.toISOString())),
        and(eq(jobs.status, "queued"), lt(jobs.updatedAt, stranded), notInArray(jobs.type, groups)),
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
 * made them had its chance), and hand stranded jobs (see `strandedJobs`) back to their queue.
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
  const stale = deliveriesFor(registry, await strandedJobs(db, registry, now));
  for (const type of new Set(stale.map((j) => j.type))) {
    await type
      .queue(env)
      .sendBatch(stale.filter((j) => j.type === type).map((j) => ({ body: { jobId: j.id } })));
  }
  return { relayed: relay.length, recovered: stale.length };
}
