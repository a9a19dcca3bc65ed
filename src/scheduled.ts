import { and, isNotNull, lt } from "drizzle-orm";
import { paypalWebhookEvents } from "./db/billing-schema";
import { getDb } from "./db/client";
import { devMail, emailDeliveries } from "./db/email-schema";
import { outbox, refreshTokens, sessions } from "./db/schema";
import { userTokens } from "./db/security-schema";
import { relayMail } from "./email/outbox";
import { jobTypes } from "./job-types";
import { recoverJobs } from "./jobs/recovery";
import { mediaTasks } from "./media/housekeeping";
import { purgeExpiredIdempotencyKeys } from "./middleware/idempotency";
import { webhookEvents } from "./webhook-events";
import { relayWebhookEvents, requeueStrandedDeliveries } from "./webhooks/relay";

/**
 * Housekeeping on the cron. Each task runs on its own, so one failing (and logging) never keeps
 * the others from running.
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
    ...mediaTasks(env, now),
    // Webhooks: events no trigger relayed yet, and deliveries whose queue message may be lost.
    webhookRelay: () => relayWebhookEvents({ db, queue: env.WEBHOOK_QUEUE, catalog: webhookEvents }, now),
    webhookSweep: () => requeueStrandedDeliveries(db, env.WEBHOOK_QUEUE, now),
  };
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
