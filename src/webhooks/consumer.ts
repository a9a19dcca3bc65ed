import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, getDb, rawInBatch } from "../db/client";
import {
  type WebhookDelivery,
  type WebhookEndpoint,
  webhookDeliveries,
  webhookEndpoints,
} from "../db/webhooks-schema";
import { dispatchMail } from "../email/outbox";
import { isoAfter } from "../lib/clock";
import { unseal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { type WebhookConfig, webhookConfig } from "./config";
import { SECRET_PURPOSE } from "./endpoints";
import { type SendOutcome, sendSignedWebhook, signWebhook } from "./sender";
import { checkWebhookUrl } from "./url-policy";

/** How long a consumer owns a delivery it is sending; past it, the sweep hands it on. */
const LEASE_SECONDS = 120;

export interface WebhookConsumerOptions {
  clock?: () => Date;
  fetch?: typeof fetch;
}

const deliveryIdOf = (body: unknown): string | null =>
  body && typeof body === "object" && "deliveryId" in body && typeof body.deliveryId === "string"
    ? body.deliveryId
    : null;

/**
 * Takes a delivery for one attempt: one pending, waiting for a retry, or whose sender's lease ran
 * out. Returns it with its attempt number, or null when it is finished or someone else is sending
 * it (the message then changes nothing).
 */
async function claim(db: Db, id: string, now: Date): Promise<WebhookDelivery | null> {
  const nowIso = now.toISOString();
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      status: "sending",
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      leaseUntil: isoAfter(now, LEASE_SECONDS),
      updatedAt: nowIso,
    })
    .where(
      and(
        eq(webhookDeliveries.id, id),
        sql`(${webhookDeliveries.status} IN ('pending', 'retry') OR (${webhookDeliveries.status} = 'sending' AND ${webhookDeliveries.leaseUntil} < ${nowIso}))`,
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * The webhook queue's consumer: each message is `{deliveryId}`. An attempt signs the stored
 * message with the endpoint's secret and POSTs it; 2xx ends the delivery, anything else waits for
 * the next step of the retry schedule (message.retry with a delay) until the schedule is spent,
 * and a delivery that fails for good counts against its endpoint, which is disabled — with an
 * email to its owner — after `disableAfter` in a row. A 410 Gone answer fails the delivery at once.
 */
export async function handleWebhookBatch(
  batch: MessageBatch,
  env: Env,
  options: WebhookConsumerOptions = {},
) {
  const ctx: Ctx = {
    env,
    db: getDb(env.DB),
    clock: options.clock ?? (() => new Date()),
    config: webhookConfig(env),
    fetch: options.fetch,
  };
  for (const message of batch.messages) await handleMessage(ctx, message);
}

interface Ctx {
  env: Env;
  db: Db;
  clock: () => Date;
  config: WebhookConfig;
  fetch?: typeof fetch;
}

/** One message: claim its delivery, make one attempt, then settle it (ack, retry later, or fail). */
async function handleMessage(ctx: Ctx, message: Message<unknown>) {
  const { db, clock } = ctx;
  const id = deliveryIdOf(message.body);
  const delivery = id ? await claim(db, id, clock()) : null;
  if (!delivery) return message.ack();
  const endpoint = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, delivery.endpointId))
    .get();
  if (endpoint?.status !== "enabled") {
    await finishStatement(db, delivery, { status: "failed", lastError: "the endpoint is disabled" }, clock());
    return message.ack();
  }
  const outcome = await attempt(ctx, delivery, endpoint);
  const delay = ctx.config.retrySchedule[delivery.attempts - 1];
  if (outcome.ok) {
    await db.batch([
      finishStatement(
        db,
        delivery,
        { status: "succeeded", ...answer(outcome), deliveredAt: clock().toISOString() },
        clock(),
      ),
      db.update(webhookEndpoints).set({ consecutiveFailures: 0 }).where(eq(webhookEndpoints.id, endpoint.id)),
    ]);
    message.ack();
  } else if (outcome.retryable && delay !== undefined) {
    await finishStatement(db, delivery, { status: "retry", ...answer(outcome) }, clock());
    message.retry({ delaySeconds: delay });
  } else {
    const mailId = await failForGood(db, delivery, outcome, ctx.config, clock());
    // An id whose row the batch did not write (the endpoint stays enabled) is acked by the mailer.
    await dispatchMail(ctx.env, [mailId], clock());
    message.ack();
  }
}

/** Signs the stored message with the endpoint's secret and POSTs it. */
async function attempt(ctx: Ctx, delivery: WebhookDelivery, endpoint: WebhookEndpoint): Promise<SendOutcome> {
  try {
    const url = checkWebhookUrl(endpoint.url, ctx.config.allowPrivate);
    const secret = await unseal(
      ctx.env.AUTH_SECRET,
      `${SECRET_PURPOSE}:${endpoint.id}`,
      endpoint.secretSealed,
    );
    const signed = signWebhook(secret, {
      id: delivery.eventId,
      timestamp: ctx.clock(),
      body: delivery.payload,
    });
    return await sendSignedWebhook(url, signed, { timeoutMs: ctx.config.timeoutMs, fetch: ctx.fetch });
  } catch (error) {
    // The URL is no longer allowed (settings changed) or the secret can't be opened: no retry helps.
    return {
      ok: false,
      status: null,
      durationMs: 0,
      error: error instanceof Error ? error.message : String(error),
      retryable: false,
    };
  }
}

const answer = (outcome: SendOutcome) => ({
  responseStatus: outcome.status,
  durationMs: outcome.durationMs,
  lastError: outcome.error,
});

function finishStatement(db: Db, delivery: WebhookDelivery, change: Partial<WebhookDelivery>, now: Date) {
  return db
    .update(webhookDeliveries)
    .set({ ...change, leaseUntil: null, updatedAt: now.toISOString() })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "sending")));
}

/**
 * The delivery failed for good: it is marked failed, its endpoint's run of failures grows, and at
 * the limit the endpoint is disabled and a `webhook.disabled` event (mailed to the owner) written —
 * all in one batch, the disabling guarded so it happens (and mails) once. Returns the mail event's
 * id, written only when this batch disabled the endpoint.
 */
async function failForGood(
  db: Db,
  delivery: WebhookDelivery,
  outcome: SendOutcome,
  config: WebhookConfig,
  now: Date,
): Promise<string> {
  const nowIso = now.toISOString();
  const mailId = newId("evt");
  const reason =
    `${config.disableAfter} deliveries in a row failed; the last: ${outcome.error ?? "unknown error"}`.slice(
      0,
      500,
    );
  await db.batch([
    finishStatement(db, delivery, { status: "failed", ...answer(outcome) }, now),
    db
      .update(webhookEndpoints)
      .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`, updatedAt: nowIso })
      .where(eq(webhookEndpoints.id, delivery.endpointId)),
    rawInBatch(
      db,
      sql`INSERT INTO outbox (id, topic, payload, created_at)
        SELECT ${mailId}, 'webhook.disabled', json_object('endpointId', id, 'ownerId', owner_id, 'url', url, 'reason', ${reason}), ${nowIso}
        FROM webhook_endpoints WHERE id = ${delivery.endpointId} AND status = 'enabled' AND consecutive_failures >= ${config.disableAfter}`,
    ),
    db
      .update(webhookEndpoints)
      .set({ status: "disabled", disabledReason: reason })
      .where(
        and(
          eq(webhookEndpoints.id, delivery.endpointId),
          eq(webhookEndpoints.status, "enabled"),
          sql`${webhookEndpoints.consecutiveFailures} >= ${config.disableAfter}`,
        ),
      ),
  ]);
  return mailId;
}

/** The webhook dead-letter queue: a delivery whose messages ran out is failed with its last error. */
export async function handleWebhookDeadLetters(
  batch: MessageBatch,
  env: Env,
  clock: () => Date = () => new Date(),
) {
  const db = getDb(env.DB);
  const ids = batch.messages.map((m) => deliveryIdOf(m.body)).filter((id): id is string => id !== null);
  for (let i = 0; i < ids.length; i += 90) {
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", leaseUntil: null, updatedAt: clock().toISOString() })
      .where(
        and(
          inArray(webhookDeliveries.id, ids.slice(i, i + 90)),
          inArray(webhookDeliveries.status, ["pending", "retry", "sending"]),
        ),
      );
  }
  for (const message of batch.messages) message.ack();
}
