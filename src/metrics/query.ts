import { and, gte, lt, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { LATENCY_BOUNDS_MS, metricRollups } from "../db/ops-schema";
import { jobStats } from "../jobs/queries";

/** The bound of the bucket the q-quantile falls in (the slowest sample's time past the last bound). */
export function percentile(buckets: number[], q: number, maxMs: number): number {
  const total = buckets.reduce((a, n) => a + n, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i]!;
    if (seen >= q * total) return Math.min(LATENCY_BOUNDS_MS[i] ?? maxMs, maxMs);
  }
  return maxMs;
}

const addBuckets = (a: number[], b: number[]) => a.map((n, i) => n + (b[i] ?? 0));

interface Acc {
  count: number;
  errors: number;
  sumMs: number;
  maxMs: number;
  buckets: number[];
}
const empty = (): Acc => ({
  count: 0,
  errors: 0,
  sumMs: 0,
  maxMs: 0,
  buckets: Array(LATENCY_BOUNDS_MS.length + 1).fill(0),
});

function summary(a: Acc, seconds: number) {
  return {
    requests: a.count,
    perSecond: a.count / seconds,
    errorRate: a.count ? a.errors / a.count : 0,
    avgMs: a.count ? a.sumMs / a.count : 0,
    p50Ms: percentile(a.buckets, 0.5, a.maxMs),
    p95Ms: percentile(a.buckets, 0.95, a.maxMs),
    p99Ms: percentile(a.buckets, 0.99, a.maxMs),
  };
}

/**
 * Requests over [from, to] by minute: totals and percentiles per route and for everything, and a series per
 * minute for the charts. An error is a 5xx answer.
 */
export async function requestMetrics(db: Db, from: Date, to: Date) {
  const rows = await db
    .select()
    .from(metricRollups)
    .where(
      and(
        gte(metricRollups.minute, from.toISOString().slice(0, 16)),
        // The current minute counts too (still filling).
        lte(metricRollups.minute, to.toISOString().slice(0, 16)),
      ),
    )
    .all();
  const seconds = Math.max(1, (to.getTime() - from.getTime()) / 1000);
  const byRoute = new Map<string, Acc>();
  const byMinute = new Map<string, Acc>();
  const all = empty();
  for (const r of rows) {
    for (const acc of [
      all,
      byRoute.get(r.route) ?? byRoute.set(r.route, empty()).get(r.route)!,
      byMinute.get(r.minute) ?? byMinute.set(r.minute, empty()).get(r.minute)!,
    ]) {
      acc.count += r.count;
      acc.errors += r.statusClass === "5xx" ? r.count : 0;
      acc.sumMs += r.sumMs;
      acc.maxMs = Math.max(acc.maxMs, r.maxMs);
      acc.buckets = addBuckets(acc.buckets, r.buckets);
    }
  }
  return {
    total: summary(all, seconds),
    routes: [...byRoute.entries()]
      .map(([route, acc]) => ({ route, ...summary(acc, seconds) }))
      .sort((a, b) => b.requests - a.requests),
    series: [...byMinute.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([minute, acc]) => ({ minute, ...summary(acc, 60) })),
  };
}

/**
 * Jobs over [from, to), from what the engine already records per attempt (task_executions): attempts
 * per minute, the queue wait of first attempts (start − creation) at p95, the failure rate of jobs
 * that ended, and the dead-letter count.
 */
export async function jobMetrics(db: Db, from: Date, to: Date) {
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  const [perMinute, waits, ended, stats] = await Promise.all([
    db.all<{ minute: string; attempts: number; failed: number }>(
      sql`SELECT substr(started_at, 1, 16) AS minute, count(*) AS attempts,
            sum(outcome IN ('failed', 'retry', 'lost')) AS failed
          FROM task_executions WHERE started_at >= ${fromIso} AND started_at < ${toIso}
          GROUP BY minute ORDER BY minute`,
    ),
    db.all<{ waitMs: number }>(
      sql`SELECT CAST((julianday(t.started_at) - julianday(j.created_at)) * 86400000 AS INTEGER) AS waitMs
          FROM task_executions t JOIN jobs j ON j.id = t.job_id
          WHERE t.attempt = 1 AND t.started_at >= ${fromIso} AND t.started_at < ${toIso}
          ORDER BY waitMs LIMIT 10000`,
    ),
    db.get<{ succeeded: number; failed: number }>(
      sql`SELECT coalesce(sum(status = 'succeeded'), 0) AS succeeded, coalesce(sum(status = 'failed'), 0) AS failed
          FROM jobs WHERE finished_at >= ${fromIso} AND finished_at < ${toIso}`,
    ),
    jobStats(db),
  ]);
  const p95 = waits.length
    ? waits[Math.min(waits.length - 1, Math.ceil(0.95 * waits.length) - 1)]!.waitMs
    : 0;
  const done = (ended?.succeeded ?? 0) + (ended?.failed ?? 0);
  return {
    perMinute,
    queueWaitP95Ms: Math.max(0, p95),
    failureRate: done ? (ended?.failed ?? 0) / done : 0,
    finished: done,
    deadLettered: stats.deadLettered,
  };
}

/** Retention: minute rollups older than `days` go. */
export async function purgeOldRollups(db: Db, days: number, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 16);
  await db.delete(metricRollups).where(lt(metricRollups.minute, cutoff));
}
