import { and, isNotNull, lt } from "drizzle-orm";
import { evaluateAlerts } from "./alerts/evaluate";
import { auditRetentionDays } from "./audit/config";
import { purgeExpiredAudit } from "./audit/query";
import { paypalWebhookEvents } from "./db/billing-schema";
import { getDb } from "./db/client";
import { devMail, emailDeliveries } from "./db/email-schema";
import { outbox, refreshTokens, sessions } from "./db/schema";
import { userTokens } from "./db/security-schema";
import { dispatchMail, relayMail } from "./email/outbox";
import { purgeOldProbes, recordProbe } from "./health/uptime";
import { jobTypes } from "./job-types";
import { recoverJobs } from "./jobs/recovery";
import { mediaTasks } from "./media/housekeeping";
import { flushMetrics } from "./metrics/flush";
import { purgeOldRollups } from "./metrics/query";
import { purgeExpiredIdempotencyKeys } from "./middleware/idempotency";
import { purgeOldUsage } from "./usage/query";
import { webhookEvents } from "./webhook-events";
import { relaySoon, relayWebhookEvents, requeueStrandedDeliveries } from "./webhooks/relay";

/**
 * Housekeeping on the five-minute cron.
 */
export async function runScheduled(env: Env, now: Date): Promise<void> {
  const db = getDb(env.DB);
  const nowIso = now.toISOString();
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const tasks: Record<string, () => Promise<unknown>> = {
    // Resend job messages still in the outbox; hand expired leases back to the queue.
    recoverJobs: () => recoverJobs(env, jobTypes, now),
    idempotencyKeys: () => purgeExpiredIdempotencyKeys(db, now),
    refreshTokens: () => db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, nowIso)),
    // Ended sessions stay a month for the audit trail, then go.
    sessions: () =>
      db.batch([
        db.delete(sessions).where(and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, monthAgo))),
        db.delete(sessions).where(lt(sessions.absoluteExpiresAt, monthAgo)),
      ]),
    // Mail events whose queue message was never sent (the request's own send failed).
    relayMail: () => relayMail(env, now),
    // Job messages are relayed within minutes; events nobody consumes yet are kept a month.
    outbox: () => db.delete(outbox).where(lt(outbox.createdAt, monthAgo)),
    // Mail state, dev mail and spent tokens: a month. Webhook transmissions too, which is far past
    // the few minutes a transmission is accepted for, so dropping them never re-opens a replay.
    mailAndTokens: () =>
      db.batch([
        db.delete(emailDeliveries).where(lt(emailDeliveries.updatedAt, monthAgo)),
        db.delete(devMail).where(lt(devMail.createdAt, monthAgo)),
        db.delete(userTokens).where(lt(userTokens.expiresAt, monthAgo)),
        db.delete(paypalWebhookEvents).where(lt(paypalWebhookEvents.receivedAt, monthAgo)),
      ]),
    // The audit trail keeps AUDIT_RETENTION_DAYS.
    auditRetention: () => purgeExpiredAudit(db, auditRetentionDays(env), now),
    // Request metrics: a backstop flush of every shard (their alarms flush every 10 s), and retention.
    metricsFlush: () => flushMetrics(env),
    metricsRetention: () => purgeOldRollups(db, Number(env.METRICS_RETENTION_DAYS) || 14, now),
    healthProbes: () => purgeOldProbes(db, now),
    // Per-user daily usage: a little over a year (the charts show at most 90 days).
    usageRetention: () => purgeOldUsage(db, 400, now),
    ...mediaTasks(env, now),
    // Webhooks: events no trigger relayed yet, and deliveries whose queue message may be lost.
    webhookRelay: () => relayWebhookEvents({ db, queue: env.WEBHOOK_QUEUE, catalog: webhookEvents }, now),
    webhookSweep: () => requeueStrandedDeliveries(db, env.WEBHOOK_QUEUE, now),
  };
  await runTasks(tasks);
}

/** Runs each task on its own, so one failing (and logging) never keeps the others from running. */
async function runTasks(tasks: Record<string, () => Promise<unknown>>): Promise<void> {
  for (const [name, task] of Object.entries(tasks)) {
    try {
      await task();
    } catch (error) {
      console.log(
        JSON.stringify({ level: "error", event: "scheduled_task_failed", task: name, error: String(error) }),
      );
    }
  }
}

/**
 * The every-minute cron (wrangler.toml): a health probe for the uptime figures (src/health), then
 * the alert rules (src/alerts), over rollups flushed just before; their notices go out at once.
 */
export const MINUTELY = "* * * * *";

export async function runMinutely(env: Env, now: Date): Promise<void> {
  const db = getDb(env.DB);
  await runTasks({
    healthProbe: () => recordProbe(db, env, now),
    alerts: async () => {
      await flushMetrics(env);
      const transitions = await evaluateAlerts(db, now);
      if (transitions.length === 0) return;
      await dispatchMail(
        env,
        transitions.map((t) => t.eventId),
        now,
      );
      await relaySoon(env, webhookEvents, now);
    },
  });
}
