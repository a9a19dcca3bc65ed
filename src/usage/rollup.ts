import { sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import type { RequestSample } from "../metrics/rollup";

/** What one user's calls to one route class add up to in a UTC day; merged by addition. */
export interface UsageCount {
  userId: string;
  day: string;
  routeClass: string;
  calls: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * The class of a route pattern: the path segment after /api/v1 (`GET /api/v1/media/:id` → `media`),
 * `other` for requests no route matched. Patterns, never paths, so the set stays the app's own.
 */
export function routeClassOf(pattern: string): string {
  const segment = pattern.split(" ").pop()?.split("/")[3] ?? "";
  return /^[a-z][a-z0-9-]*$/.test(segment) ? segment : "other";
}

/** Adds the signed-in callers' samples into `usage` (keyed by user, day, class). */
export function accumulateUsage(usage: Map<string, UsageCount>, samples: RequestSample[]): void {
  for (const s of samples) {
    if (!s.userId) continue;
    mergeUsage(usage, {
      userId: s.userId,
      day: new Date(s.at).toISOString().slice(0, 10),
      routeClass: routeClassOf(s.route),
      calls: 1,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
    });
  }
}

export function mergeUsage(usage: Map<string, UsageCount>, u: UsageCount): void {
  const key = `${u.userId}\n${u.day}\n${u.routeClass}`;
  const into = usage.get(key);
  if (!into) {
    usage.set(key, { ...u });
    return;
  }
  into.calls += u.calls;
  into.bytesIn += u.bytesIn;
  into.bytesOut += u.bytesOut;
}

/** D1 statements per batch: one upsert per row. */
export const USAGE_PER_BATCH = 50;

/** The upsert that adds one usage count to its row: for a batch of its own or another write's. */
export function addUsage(db: Db, u: UsageCount) {
  return rawInBatch(
    db,
    sql`INSERT INTO usage_daily (user_id, day, route_class, calls, bytes_in, bytes_out)
      VALUES (${u.userId}, ${u.day}, ${u.routeClass}, ${u.calls}, ${u.bytesIn}, ${u.bytesOut})
      ON CONFLICT (user_id, day, route_class) DO UPDATE SET
        calls = calls + excluded.calls,
        bytes_in = bytes_in + excluded.bytes_in,
        bytes_out = bytes_out + excluded.bytes_out`,
  );
}

/** Writes usage counts (at most USAGE_PER_BATCH) in one batch of upserts that add, so shards merge. */
export async function flushUsage(db: Db, counts: UsageCount[]): Promise<void> {
  const statements = counts.map((u) => addUsage(db, u));
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
}
