import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, getDb, rawInBatch } from "../db/client";
import { outbox } from "../db/schema";
import { type WebhookEndpoint, webhookDeliveries, webhookEndpoints } from "../db/webhooks-schema";
import { newId } from "../lib/ids";
import type { WebhookCatalog } from "./events";

/** Outbox events looked at per relay round. */
const EVENTS_PER_ROUND = 100;

export interface WebhookMessage {
  deliveryId: string;
}

/**
 * Outbox → deliveries → queue. Every outbox event is looked at once (`outbox.webhooks_at`): one whose
 * topic is a registered webhook event and whose owner has enabled endpoints subscribed to it (made
 * before the event) becomes one delivery per endpoint, its message composed now; the rest are just
 * marked. Deliveries and marks are one batch, and a delivery is unique per (endpoint, event), so
 * two relays at once, or a relay repeated after a crash, deliver nothing twice. Returns how many
 * deliveries were queued.
 */
export async function relayWebhookEvents(
  deps: { db: Db; queue: Queue<WebhookMessage>; catalog: WebhookCatalog },
  now: Date,
): Promise<number> {
  const { db } = deps;
  const events = await db
    .select()
    .from(outbox)
    .where(isNull(outbox.webhooksAt))
    .orderBy(asc(outbox.createdAt), asc(outbox.id))
    .limit(EVENTS_PER_ROUND)
    .all();
  if (events.length === 0) return 0;
  const nowIso = now.toISOString();
  const relevant = events.filter((e) => deps.catalog.get(e.topic));
  const statements: BatchItem<"sqlite">[] = [];
  if (await anyEnabledEndpoint(db, relevant.length)) {
    statements.push(...(await deliveryInserts(db, deps.catalog, relevant, nowIso)));
  }
  const ids = events.map((e) => e.id);
  for (let i = 0; i < ids.length; i += 90) {
    statements.push(
      db
        .update(outbox)
        .set({ webhooksAt: nowIso })
        .where(inArray(outbox.id, ids.slice(i, i + 90))),
    );
  }
  const results = (await db.batch(
    statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
  )) as unknown[];
  const created = results.flatMap(insertedIds);
  await enqueue(deps.queue, created);
  // A full round means more are waiting: take the next one now rather than on the next trigger.
  return events.length === EVENTS_PER_ROUND
    ? created.length + (await relayWebhookEvents(deps, now))
    : created.length;
}

type OutboxEvent = typeof outbox.$inferSelect;

/** Whether any endpoint is enabled at all (asked only when some event could be delivered). */
async function anyEnabledEndpoint(db: Db, relevantEvents: number): Promise<boolean> {
  if (relevantEvents === 0) return false;
  const one = await db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.status, "enabled"))
    .limit(1)
    .get();
  return one !== undefined;
}

/** The enabled endpoints of these owners, 90 owners per query (D1's bound-parameter limit). */
async function enabledEndpointsOf(db: Db, owners: string[]): Promise<WebhookEndpoint[]> {
  const endpoints: WebhookEndpoint[] = [];
  for (let i = 0; i < owners.length; i += 90) {
    endpoints.push(
      ...(await db
        .select()
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.status, "enabled"),
            inArray(webhookEndpoints.ownerId, owners.slice(i, i + 90)),
          ),
        )
        .all()),
    );
  }
  return endpoints;
}

/**
 * One insert per (event, subscribed endpoint made before it), the message composed now; an insert
 * that meets an existing delivery does nothing and returns no id.
 */
async function deliveryInserts(
  db: Db,
  catalog: WebhookCatalog,
  relevant: OutboxEvent[],
  nowIso: string,
): Promise<BatchItem<"sqlite">[]> {
  const described: { event: OutboxEvent; ownerId: string; data: Record<string, unknown> }[] = [];
  for (const event of relevant) {
    const found = await catalog.get(event.topic)!.describe(db, event.payload);
    if (found) described.push({ event, ...found });
  }
  const endpoints = await enabledEndpointsOf(db, [...new Set(described.map((d) => d.ownerId))]);
  const statements: BatchItem<"sqlite">[] = [];
  for (const { event, ownerId, data } of described) {
    const targets = endpoints.filter(
      (e) => e.ownerId === ownerId && e.events.includes(event.topic) && e.createdAt <= event.createdAt,
    );
    if (targets.length === 0) continue;
    const payload = JSON.stringify({ type: event.topic, timestamp: event.createdAt, data });
    for (const endpoint of targets) {
      statements.push(
        rawInBatch(
          db,
          sql`INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, created_at, updated_at)
            VALUES (${newId("whd")}, ${endpoint.id}, ${event.id}, ${event.topic}, ${payload}, 'pending', 0, ${nowIso}, ${nowIso})
            ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
        ),
      );
    }
  }
  return statements;
}

/** The ids a batch statement's RETURNING gave (none for the outbox marks). */
function insertedIds(result: unknown): string[] {
  const rows = (result as { results?: { id?: string }[] }).results ?? [];
  return rows.flatMap((row) => (typeof row.id === "string" ? [row.id] : []));
}

async function enqueue(queue: Queue<WebhookMessage>, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    await queue.sendBatch(ids.slice(i, i + 100).map((deliveryId) => ({ body: { deliveryId } })));
  }
}

/**
 * Scheduled: deliveries whose message may be lost — pending for over a minute (the relay's send
 * failed, or a resend's), sending past their lease (the consumer died), or waiting for a retry
 * longer than any retry waits — are queued again. The
 * consumer's claim makes a duplicate message harmless.
 */
export async function requeueStrandedDeliveries(
  db: Db,
  queue: Queue<WebhookMessage>,
  now: Date,
): Promise<number> {
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  const nowIso = now.toISOString();
  const halfDayAgo = new Date(now.getTime() - 13 * 3_600_000).toISOString();
  const stranded = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      or(
        and(eq(webhookDeliveries.status, "pending"), lt(webhookDeliveries.updatedAt, minuteAgo)),
        and(eq(webhookDeliveries.status, "sending"), lt(webhookDeliveries.leaseUntil, nowIso)),
        // A retry waits at most 12 h (the queue's longest delay): past that its message is lost.
        and(eq(webhookDeliveries.status, "retry"), lt(webhookDeliveries.updatedAt, halfDayAgo)),
      ),
    )
    .limit(500)
    .all();
  await enqueue(
    queue,
    stranded.map((r) => r.id),
  );
  return stranded.length;
}

/** After a resend: queue the delivery now (the sweep above catches it if this send fails). */
export const enqueueDelivery = (queue: Queue<WebhookMessage>, deliveryId: string) =>
  enqueue(queue, [deliveryId]);

/**
 * Relays after work that may have written events (an API change, a job batch), without failing
 * that work: a relay that fails now is repeated by the next trigger or the cron.
 */
export async function relaySoon(env: Env, catalog: WebhookCatalog, now: Date): Promise<void> {
  try {
    await relayWebhookEvents({ db: getDb(env.DB), queue: env.WEBHOOK_QUEUE, catalog }, now);
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", event: "webhook_relay_failed", error: String(error) }));
  }
}
