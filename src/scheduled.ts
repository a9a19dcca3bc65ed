import { and, isNotNull, lt } from "drizzle-orm";
import { getDb } from "./db/client";
import { outbox, refreshTokens, sessions } from "./db/schema";
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
    // Job messages are relayed within minutes; events nobody consumes yet are kept a month.
    outbox: () => db.delete(outbox).where(lt(outbox.createdAt, monthAgo)),
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
