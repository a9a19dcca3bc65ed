import { and, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import { type Db, getDb, rawInBatch } from "../db/client";
import { outbox } from "../db/schema";
import { newId } from "../lib/ids";
import { MAIL_TOPICS } from "./catalog";

/**
 * The outbox row that promises a mail, for the caller's db.batch(). `when` makes it conditional
 * (e.g. only if the account exists); `id` makes it deterministic, so an event reported twice (a
 * capture seen by both the API call and the webhook) is still one row — and so one mail.
 */
export function mailEvent(
  db: Db,
  topic: keyof typeof MAIL_TOPICS,
  payload: Record<string, unknown>,
  nowIso: string,
  options: { id?: string; when?: SQL } = {},
) {
  const id = options.id ?? newId("evt");
  const statement = rawInBatch(
    db,
    sql`INSERT INTO outbox (id, topic, payload, created_at)
      SELECT ${id}, ${topic}, ${JSON.stringify(payload)}, ${nowIso}
      WHERE ${options.when ?? sql`1`}
      ON CONFLICT (id) DO NOTHING`,
  );
  return { id, statement };
}

/**
 * Hands mail events to the email queue and marks them relayed. Ids whose row was never written (a
 * conditional event that did not apply) are sent too, so a request's work does not depend on it;
 * the consumer acks them. A failed send leaves the rows for the scheduled relay.
 */
export async function dispatchMail(env: Env, eventIds: string[], now: Date): Promise<void> {
  if (eventIds.length === 0) return;
  const db = getDb(env.DB);
  try {
    for (let i = 0; i < eventIds.length; i += 100) {
      await env.EMAIL_QUEUE.sendBatch(eventIds.slice(i, i + 100).map((eventId) => ({ body: { eventId } })));
    }
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", event: "mail_enqueue_failed", error: String(error) }));
    return;
  }
  for (let i = 0; i < eventIds.length; i += 90) {
    await db
      .update(outbox)
      .set({ deliveredAt: now.toISOString() })
      .where(and(inArray(outbox.id, eventIds.slice(i, i + 90)), isNull(outbox.deliveredAt)));
  }
}

/** Scheduled: mail events not relayed within a minute (the request's own send failed) go now. */
export async function relayMail(env: Env, now: Date): Promise<number> {
  const db = getDb(env.DB);
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  const pending = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        inArray(outbox.topic, Object.keys(MAIL_TOPICS)),
        isNull(outbox.deliveredAt),
        lt(outbox.createdAt, minuteAgo),
      ),
    )
    .limit(500)
    .all();
  await dispatchMail(
    env,
    pending.map((row) => row.id),
    now,
  );
  return pending.length;
}
