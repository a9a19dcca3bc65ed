import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { healthProbes } from "../db/ops-schema";
import { checkHealth } from "./probe";

/**
 * The cron's probe: the same checks as GET /health, stored once per minute (the minute is the key,
 * so a retried or doubled cron run records it once).
 */
export async function recordProbe(db: Db, env: Env, now: Date): Promise<boolean> {
  const started = Date.now();
  const report = await checkHealth(env);
  await db
    .insert(healthProbes)
    .values({
      at: `${now.toISOString().slice(0, 16)}Z`,
      ok: report.status === "ok",
      checks: report.checks,
      durationMs: Date.now() - started,
    })
    .onConflictDoNothing();
  return report.status === "ok";
}

async function uptimeSince(db: Db, since: Date) {
  const row = await db
    .select({ probes: sql<number>`count(*)`, ok: sql<number>`coalesce(sum(${healthProbes.ok}), 0)` })
    .from(healthProbes)
    .where(gte(healthProbes.at, since.toISOString()))
    .get();
  const probes = row?.probes ?? 0;
  return { probes, uptime: probes ? (row?.ok ?? 0) / probes : null };
}

/** Uptime over 24 h and 7 d (share of passing probes; null without probes) and the last failures. */
export async function uptimeReport(db: Db, now: Date) {
  const [day, week, failures] = await Promise.all([
    uptimeSince(db, new Date(now.getTime() - 86_400_000)),
    uptimeSince(db, new Date(now.getTime() - 7 * 86_400_000)),
    db
      .select()
      .from(healthProbes)
      .where(eq(healthProbes.ok, false))
      .orderBy(desc(healthProbes.at))
      .limit(10)
      .all(),
  ]);
  return { day, week, lastFailures: failures.map((f) => ({ at: f.at, checks: f.checks })) };
}

/** Probes older than 30 days go. */
export async function purgeOldProbes(db: Db, now: Date): Promise<void> {
  await db
    .delete(healthProbes)
    .where(and(lt(healthProbes.at, new Date(now.getTime() - 30 * 86_400_000).toISOString())));
}
