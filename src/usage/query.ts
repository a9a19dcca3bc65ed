import { and, eq, gte, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { usageDaily } from "../db/ops-schema";

/** One UTC day of a user's use. */
export interface UsageDay {
  day: string;
  apiCalls: number;
  /** Calls per route class (`media`, `jobs`, …). */
  apiCallsByClass: Record<string, number>;
  bytesUploaded: number;
  bytesServed: number;
  /** Jobs created that day by type and outcome (their status now); a batch counts once. */
  jobs: { type: string; outcome: string; count: number }[];
  /** Credits of jobs that succeeded that day (what their reservation took; failures are released). */
  creditsSpent: number;
}

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A user's use over the `days` UTC days up to and including today's: API calls by route class and
 * bytes from the request rollups (src/usage/rollup.ts), jobs from the job rows, credits from the
 * ledger — the last two are read where they already live rather than counted twice.
 */
export async function usageFor(db: Db, userId: string, days: number, now: Date) {
  const to = dayOf(now);
  const from = dayOf(new Date(now.getTime() - (days - 1) * DAY_MS));
  const next = dayOf(new Date(now.getTime() + DAY_MS));
  const [calls, jobRows, credits] = await Promise.all([
    db
      .select()
      .from(usageDaily)
      .where(and(eq(usageDaily.userId, userId), gte(usageDaily.day, from))),
    db
      .select({
        day: sql<string>`substr(${jobs.createdAt}, 1, 10)`,
        type: jobs.type,
        outcome: jobs.status,
        count: sql<number>`count(*)`,
      })
      .from(jobs)
      .where(
        and(
          eq(jobs.userId, userId),
          gte(jobs.createdAt, from),
          lt(jobs.createdAt, next),
          isNull(jobs.parentId),
        ),
      )
      .groupBy(sql`1`, jobs.type, jobs.status),
    db.all<{ day: string; spent: number }>(
      sql`SELECT substr(c.created_at, 1, 10) AS day, sum(-r.amount) AS spent
        FROM credit_ledger c JOIN credit_ledger r ON r.user_id = c.user_id AND r.ref = c.ref AND r.kind = 'reserve'
        WHERE c.user_id = ${userId} AND c.kind = 'commit' AND c.created_at >= ${from} AND c.created_at < ${next}
        GROUP BY 1`,
    ),
  ]);

  const byDay = new Map<string, UsageDay>();
  for (let t = Date.parse(from); dayOf(new Date(t)) <= to; t += DAY_MS) {
    const day = dayOf(new Date(t));
    byDay.set(day, {
      day,
      apiCalls: 0,
      apiCallsByClass: {},
      bytesUploaded: 0,
      bytesServed: 0,
      jobs: [],
      creditsSpent: 0,
    });
  }
  for (const row of calls) {
    const d = byDay.get(row.day);
    if (!d) continue;
    d.apiCalls += row.calls;
    // Rows of bytes alone (a transfer's) are no class of calls.
    if (row.calls > 0)
      d.apiCallsByClass[row.routeClass] = (d.apiCallsByClass[row.routeClass] ?? 0) + row.calls;
    d.bytesUploaded += row.bytesIn;
    d.bytesServed += row.bytesOut;
  }
  for (const row of jobRows)
    byDay.get(row.day)?.jobs.push({ type: row.type, outcome: row.outcome, count: row.count });
  for (const row of credits) {
    const d = byDay.get(row.day);
    if (d) d.creditsSpent = row.spent;
  }
  const list = [...byDay.values()];
  return {
    from,
    to,
    totals: {
      apiCalls: list.reduce((a, d) => a + d.apiCalls, 0),
      bytesUploaded: list.reduce((a, d) => a + d.bytesUploaded, 0),
      bytesServed: list.reduce((a, d) => a + d.bytesServed, 0),
      jobs: list.reduce((a, d) => a + d.jobs.reduce((n, j) => n + j.count, 0), 0),
      creditsSpent: list.reduce((a, d) => a + d.creditsSpent, 0),
    },
    days: list,
  };
}

/** Usage rows past `retentionDays` go (the cron). */
export async function purgeOldUsage(db: Db, retentionDays: number, now: Date): Promise<void> {
  await db
    .delete(usageDaily)
    .where(lt(usageDaily.day, dayOf(new Date(now.getTime() - retentionDays * DAY_MS))));
}
