import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rawInBatch } from "../db/client";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from "../db/ops-schema";

/** One request as the metrics middleware sees it. */
export interface RequestSample {
  /** Epoch ms when it ended. */
  at: number;
  route: string;
  status: number;
  durationMs: number;
  /** The signed-in caller, for usage (src/usage); null for anonymous requests. */
  userId: string | null;
  /** Request body bytes (Content-Length) and answer bytes when the answer states its length. */
  bytesIn: number;
  bytesOut: number;
}

/** What a minute of one (route, status class) adds up to; merged by addition. */
export interface Rollup {
  minute: string;
  route: string;
  statusClass: string;
  count: number;
  sumMs: number;
  maxMs: number;
  buckets: number[];
}

export const minuteOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 16);
export const statusClassOf = (status: number) => `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx`;

export function bucketOf(ms: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return i === -1 ? LATENCY_BUCKETS - 1 : i;
}

/** Adds `r` into `rollups` (keyed by minute, route, class). */
export function mergeRollup(rollups: Map<string, Rollup>, r: Rollup): void {
  const key = `${r.minute}\n${r.route}\n${r.statusClass}`;
  const into = rollups.get(key);
  if (!into) {
    rollups.set(key, { ...r, buckets: [...r.buckets] });
    return;
  }
  into.count += r.count;
  into.sumMs += r.sumMs;
  into.maxMs = Math.max(into.maxMs, r.maxMs);
  into.buckets = into.buckets.map((n, i) => n + (r.buckets[i] ?? 0));
}

/** Adds samples into `rollups`. */
export function accumulate(rollups: Map<string, Rollup>, samples: RequestSample[]): void {
  for (const s of samples) {
    const ms = Math.max(0, Math.round(s.durationMs));
    const buckets = Array<number>(LATENCY_BUCKETS).fill(0);
    buckets[bucketOf(ms)] = 1;
    mergeRollup(rollups, {
      minute: minuteOf(s.at),
      route: s.route,
      statusClass: statusClassOf(s.status),
      count: 1,
      sumMs: ms,
      maxMs: ms,
      buckets,
    });
  }
}

/** D1 statements per batch: one upsert per rollup. */
export const ROLLUPS_PER_BATCH = 50;

/**
 * Writes rollups (at most ROLLUPS_PER_BATCH) to D1 in one batch of upserts that add to what is
 * there, so flushes from several objects (or a retried flush of the same minute) merge.
 */
export async function flushRollups(db: Db, rollups: Rollup[]): Promise<void> {
  const statements = rollups.map((r) =>
    rawInBatch(
      db,
      sql`INSERT INTO metric_rollups (minute, route, status_class, count, sum_ms, max_ms, buckets)
        VALUES (${r.minute}, ${r.route}, ${r.statusClass}, ${r.count}, ${r.sumMs}, ${r.maxMs}, ${JSON.stringify(r.buckets)})
        ON CONFLICT (minute, route, status_class) DO UPDATE SET
          count = count + excluded.count,
          sum_ms = sum_ms + excluded.sum_ms,
          max_ms = max(max_ms, excluded.max_ms),
          buckets = (SELECT json_group_array(coalesce(a.value, 0) + coalesce(b.value, 0))
            FROM json_each(metric_rollups.buckets) a JOIN json_each(excluded.buckets) b ON a.key = b.key)`,
    ),
  );
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
}
