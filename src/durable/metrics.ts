import { DurableObject } from "cloudflare:workers";
import { getDb } from "../db/client";
import {
  accumulate,
  flushRollups,
  mergeRollup,
  type RequestSample,
  ROLLUPS_PER_BATCH,
  type Rollup,
} from "../metrics/rollup";
import { writeChunks } from "../metrics/write-chunks";
import { accumulateUsage, flushUsage, mergeUsage, USAGE_PER_BATCH, type UsageCount } from "../usage/rollup";

/** How long samples wait in memory before they are written to D1. */
export const FLUSH_INTERVAL_MS = 10_000;

/**
 * Aggregates request samples into per-minute rollups and per-user daily usage (src/usage) in memory
 * and writes them to D1 in batches every FLUSH_INTERVAL_MS (an alarm), so the request path never writes to D1 for metrics. Several
 * objects (shards) share the load; their upserts add up in D1. Samples still in memory when the
 * object is evicted between flushes are lost (at most one interval's worth): metrics, not money.
 */
export class MetricsAggregator extends DurableObject<Env> {
  private rollups = new Map<string, Rollup>();
  private usage = new Map<string, UsageCount>();

  async record(samples: RequestSample[]): Promise<void> {
    accumulate(this.rollups, samples);
    accumulateUsage(this.usage, samples);
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_INTERVAL_MS);
    }
  }

  /** Writes what is buffered now (the alarm, and the scheduled handler as a backstop). */
  async flush(): Promise<number> {
    const rollups = [...this.rollups.values()];
    const usage = [...this.usage.values()];
    this.rollups = new Map();
    this.usage = new Map();
    const db = getDb(this.env.DB);
    // The upserts add, so only what was not written is kept (merged with what comes next) for the
    // alarm's retry: a chunk is never counted twice.
    const [r, u] = await Promise.all([
      writeChunks(rollups, ROLLUPS_PER_BATCH, (chunk) => flushRollups(db, chunk)),
      writeChunks(usage, USAGE_PER_BATCH, (chunk) => flushUsage(db, chunk)),
    ]);
    for (const rollup of r.unwritten) mergeRollup(this.rollups, rollup);
    for (const count of u.unwritten) mergeUsage(this.usage, count);
    if (r.error ?? u.error) throw r.error ?? u.error;
    return rollups.length + usage.length;
  }

  async alarm(): Promise<void> {
    await this.flush();
  }
}
