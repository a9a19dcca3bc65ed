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

/** How long samples wait in the object before they are written to D1. */
export const FLUSH_INTERVAL_MS = 10_000;
/** Pending entries one flush reads; more wait for the next alarm, set at once. */
export const ENTRIES_PER_FLUSH = 500;
/** Keys per storage call (the storage API's own limit for put/delete of many keys). */
const KEYS_PER_CALL = 128;

/** What one `record` call (or a flush's unwritten remainder) adds up to, as stored. */
interface PendingEntry {
  rollups: Rollup[];
  usage: UsageCount[];
}

const PREFIX = "pending:";

/**
 * Aggregates request samples into per-minute rollups and per-user daily usage (src/usage) and writes
 * them to D1 in batches every FLUSH_INTERVAL_MS (an alarm), so the request path never writes to D1
 * for metrics. Several objects (shards) share the load; their upserts add up in D1.
 *
 * What a `record` call brings is kept in the object's storage, not only in memory: an idle object is
 * evicted after about 10 s (workerd locally, hibernation on the edge), which is when its alarm
 * fires, and a restart or deploy evicts it at any time — in-memory samples lost that way never
 * reached usage. A flush reads what is pending, writes it, then deletes exactly what it read and
 * stores what it could not write in one atomic storage write. Only a crash between the D1 write and
 * that storage write could count a chunk twice; nothing recorded is dropped.
 */
export class MetricsAggregator extends DurableObject<Env> {
  /** The flush under way; a second caller (the alarm and the cron's backstop) waits for it. */
  private flushing: Promise<number> | null = null;

  async record(samples: RequestSample[]): Promise<void> {
    if (samples.length === 0) return;
    const rollups = new Map<string, Rollup>();
    const usage = new Map<string, UsageCount>();
    accumulate(rollups, samples);
    accumulateUsage(usage, samples);
    const entry: PendingEntry = { rollups: [...rollups.values()], usage: [...usage.values()] };
    await this.ctx.storage.put(pendingKey(), entry);
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_INTERVAL_MS);
    }
  }

  /** Writes what is pending now (the alarm, and the scheduled handler as a backstop). */
  async flush(): Promise<number> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.flushing = this.flushPending();
    try {
      return await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  async alarm(): Promise<void> {
    await this.flush();
  }

  private async flushPending(): Promise<number> {
    const storage = this.ctx.storage;
    const entries = await storage.list<PendingEntry>({ prefix: PREFIX, limit: ENTRIES_PER_FLUSH });
    if (entries.size === 0) return 0;
    const rollups = new Map<string, Rollup>();
    const usage = new Map<string, UsageCount>();
    for (const entry of entries.values()) {
      for (const r of entry.rollups) mergeRollup(rollups, r);
      for (const u of entry.usage) mergeUsage(usage, u);
    }
    const db = getDb(this.env.DB);
    // The upserts add, so what was written must leave storage with what was read, and only the
    // unwritten rest stays for the next flush: a chunk is never counted twice.
    const [r, u] = await Promise.all([
      writeChunks([...rollups.values()], ROLLUPS_PER_BATCH, (chunk) => flushRollups(db, chunk)),
      writeChunks([...usage.values()], USAGE_PER_BATCH, (chunk) => flushUsage(db, chunk)),
    ]);
    const read = [...entries.keys()];
    // No await between these calls: the storage commits them as one atomic write.
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < read.length; i += KEYS_PER_CALL)
      writes.push(storage.delete(read.slice(i, i + KEYS_PER_CALL)));
    if (r.unwritten.length > 0 || u.unwritten.length > 0) {
      writes.push(
        storage.put(pendingKey(), { rollups: r.unwritten, usage: u.unwritten } satisfies PendingEntry),
      );
    }
    await Promise.all(writes);
    if (r.error ?? u.error) throw r.error ?? u.error;
    if (entries.size === ENTRIES_PER_FLUSH) await storage.setAlarm(Date.now());
    return rollups.size - r.unwritten.length + usage.size - u.unwritten.length;
  }
}

/** Keys sort by time, so a flush that cannot read everything reads the oldest first. */
function pendingKey(): string {
  return `${PREFIX}${Date.now().toString(36).padStart(9, "0")}:${crypto.randomUUID()}`;
}
