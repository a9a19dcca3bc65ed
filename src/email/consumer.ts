import { and, eq, inArray, sql } from "drizzle-orm";
import { getConfig } from "../config";
import { type Db, getDb } from "../db/client";
import { emailDeliveries } from "../db/email-schema";
import { outbox } from "../db/schema";
import { backoffSeconds } from "../jobs/recovery";
import { isoAfter } from "../lib/clock";
import { MAIL_TOPICS } from "./catalog";
import { emailConfig } from "./config";
import { createMailer, MailError, type Mailer } from "./mailer";

/** How long a consumer owns a delivery it is sending; a crash hands it on after this. */
const LEASE_SECONDS = 120;

export interface EmailConsumerOptions {
  clock?: () => Date;
  /** For tests of the HTTP provider: the fetch it uses. */
  fetch?: typeof fetch;
}

function eventIdOf(body: unknown): string | null {
  if (body && typeof body === "object" && "eventId" in body && typeof body.eventId === "string")
    return body.eventId;
  return null;
}

/**
 * Takes the delivery of one event for this attempt: a new row, a row waiting for a retry, or one
 * whose sender's lease ran out. Returns the attempt number, or null when the mail is sent, failed
 * for good, or being sent by someone else right now — then the message changes nothing.
 */
async function claimDelivery(db: Db, eventId: string, topic: string, now: Date): Promise<number | null> {
  const nowIso = now.toISOString();
  const rows = await db
    .insert(emailDeliveries)
    .values({
      eventId,
      topic,
      status: "sending",
      attempts: 1,
      leaseUntil: isoAfter(now, LEASE_SECONDS),
      createdAt: nowIso,
      updatedAt: nowIso,
    })
    .onConflictDoUpdate({
      target: emailDeliveries.eventId,
      set: {
        status: "sending",
        attempts: sql`${emailDeliveries.attempts} + 1`,
        leaseUntil: isoAfter(now, LEASE_SECONDS),
        updatedAt: nowIso,
      },
      setWhere: sql`${emailDeliveries.status} = 'retry' OR (${emailDeliveries.status} = 'sending' AND ${emailDeliveries.leaseUntil} < ${nowIso})`,
    })
    .returning({ attempts: emailDeliveries.attempts });
  return rows[0]?.attempts ?? null;
}

async function finishDelivery(
  db: Db,
  eventId: string,
  change: Partial<typeof emailDeliveries.$inferInsert>,
  now: Date,
): Promise<void> {
  await db
    .update(emailDeliveries)
    .set({ ...change, leaseUntil: null, updatedAt: now.toISOString() })
    .where(and(eq(emailDeliveries.eventId, eventId), eq(emailDeliveries.status, "sending")));
}

/**
 * The email queue's consumer. Each message is `{eventId}` of an outbox row; the row's topic says
 * which mail it becomes (src/email/catalog.ts). A delivery row per event id, claimed with a lease,
 * makes redeliveries and concurrent consumers harmless: a mail is sent once per event. Transient
 * provider errors retry with capped exponential backoff; the queue's dead-letter queue ends the rest.
 */
export async function handleEmailBatch(batch: MessageBatch, env: Env, options: EmailConsumerOptions = {}) {
  const db = getDb(env.DB);
  const clock = options.clock ?? (() => new Date());
  const config = emailConfig(env);
  const mailer = createMailer(config, { env, db, fetch: options.fetch });
  const ctx: Ctx = { env, db, mailer, clock, retryBaseSeconds: config.retryBaseSeconds };
  for (const message of batch.messages) await handleMessage(ctx, message);
}

interface Ctx {
  env: Env;
  db: Db;
  mailer: Mailer;
  clock: () => Date;
  retryBaseSeconds: number;
}

/** One message: its event's mail sent once, or retried later, or given up on (a permanent error). */
async function handleMessage(ctx: Ctx, message: Message<unknown>) {
  const { db, clock } = ctx;
  const eventId = eventIdOf(message.body);
  const event = eventId ? await db.select().from(outbox).where(eq(outbox.id, eventId)).get() : undefined;
  const compose = event ? MAIL_TOPICS[event.topic] : undefined;
  const attempt = event && compose ? await claimDelivery(db, event.id, event.topic, clock()) : null;
  // no such event, a topic that is no mail, or a delivery someone else has or finished
  if (!event || !compose || attempt === null) return message.ack();
  try {
    await deliver(ctx.env, db, ctx.mailer, event, compose, clock);
    message.ack();
  } catch (error) {
    const permanent = error instanceof MailError ? error.permanent : false;
    await failedAttempt(db, event.id, attempt, error, clock());
    if (permanent) message.ack();
    else message.retry({ delaySeconds: backoffSeconds(attempt, ctx.retryBaseSeconds) });
  }
}

/** Logs a failed attempt and marks its delivery failed (permanent errors) or waiting for a retry. */
async function failedAttempt(db: Db, eventId: string, attempt: number, error: unknown, now: Date) {
  const permanent = error instanceof MailError && error.permanent;
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  console.log(
    JSON.stringify({
      level: "warn",
      event: "mail_attempt_failed",
      eventId,
      attempt,
      permanent,
      error: reason,
    }),
  );
  await finishDelivery(db, eventId, { status: permanent ? "failed" : "retry", lastError: reason }, now);
}

async function deliver(
  env: Env,
  db: Db,
  mailer: Mailer,
  event: typeof outbox.$inferSelect,
  compose: (typeof MAIL_TOPICS)[string],
  clock: () => Date,
) {
  const composed = await compose(event.payload, {
    db,
    secret: env.AUTH_SECRET,
    appOrigin: getConfig(env).appOrigin,
  });
  if (!composed) {
    // Nothing to send any more (the account or payment is gone): done, not failed.
    await finishDelivery(db, event.id, { status: "sent", lastError: "nothing to send" }, clock());
    return;
  }
  const { to, ...rendered } = composed;
  const { messageId } = await mailer.send(
    { to, from: emailConfig(env).from, ...rendered, idempotencyKey: event.id, topic: event.topic },
    clock(),
  );
  await finishDelivery(
    db,
    event.id,
    {
      status: "sent",
      toAddress: to,
      provider: mailer.name,
      providerMessageId: messageId,
      sentAt: clock().toISOString(),
    },
    clock(),
  );
}

/** The email dead-letter queue: the mail ran out of retries and is marked failed with its last error. */
export async function handleEmailDeadLetters(
  batch: MessageBatch,
  env: Env,
  clock: () => Date = () => new Date(),
) {
  const db = getDb(env.DB);
  const ids = batch.messages.map((m) => eventIdOf(m.body)).filter((id): id is string => id !== null);
  for (let i = 0; i < ids.length; i += 90) {
    await db
      .update(emailDeliveries)
      .set({ status: "failed", leaseUntil: null, updatedAt: clock().toISOString() })
      .where(
        and(
          inArray(emailDeliveries.eventId, ids.slice(i, i + 90)),
          inArray(emailDeliveries.status, ["retry", "sending"]),
        ),
      );
  }
  for (const message of batch.messages) message.ack();
}
