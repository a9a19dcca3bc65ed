import { sql } from "drizzle-orm";
import type { AlertSignal } from "../db/alerts-schema";
import type { Db } from "../db/client";
import { jobMetrics, requestMetrics } from "../metrics/query";

/**
 * How each signal is measured over [from, to], in the unit its threshold is given in. Requests come
 * from the metric rollups, jobs from their rows and attempts, health from the minutely probes.
 */
export const SIGNALS: Record<
  AlertSignal,
  { unit: string; measure: (db: Db, from: Date, to: Date) => Promise<number> }
> = {
  error_rate: {
    unit: "% of requests answered 5xx",
    measure: async (db, from, to) => (await requestMetrics(db, from, to)).total.errorRate * 100,
  },
  p95_ms: {
    unit: "ms (p95 latency of all requests)",
    measure: async (db, from, to) => (await requestMetrics(db, from, to)).total.p95Ms,
  },
  dead_letters: {
    unit: "jobs dead-lettered",
    measure: async (db, from, to) => {
      const row = await db.get<{ n: number }>(
        sql`SELECT count(*) AS n FROM jobs WHERE status = 'failed' AND error_code = 'attempts_exhausted'
            AND finished_at >= ${from.toISOString()} AND finished_at <= ${to.toISOString()}`,
      );
      return row?.n ?? 0;
    },
  },
  queue_wait_s: {
    unit: "s (p95 wait before a job's first attempt)",
    measure: async (db, from, to) => (await jobMetrics(db, from, to)).queueWaitP95Ms / 1000,
  },
  health_failing: {
    unit: "failed health probes",
    measure: async (db, from, to) => {
      const row = await db.get<{ n: number }>(
        sql`SELECT count(*) AS n FROM health_probes WHERE ok = 0 AND at >= ${from.toISOString()} AND at <= ${to.toISOString()}`,
      );
      return row?.n ?? 0;
    },
  },
};
