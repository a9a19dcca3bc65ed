import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  type WebhookDelivery,
  type WebhookEndpoint,
  webhookDeliveries,
  webhookEndpoints,
} from "../db/webhooks-schema";
import { ApiError, notFound } from "../errors";
import { seal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import type { WebhookConfig } from "./config";
import type { WebhookCatalog } from "./events";
import { newWebhookSecret } from "./sender";
import { checkWebhookUrl } from "./url-policy";

/** Sealing purpose of endpoint secrets (see `seal` in lib/crypto.ts). */
export const SECRET_PURPOSE = "webhook-secret";

export function publicEndpoint(row: WebhookEndpoint) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    status: row.status,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function publicDelivery(row: WebhookDelivery) {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    durationMs: row.durationMs,
    lastError: row.lastError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deliveredAt: row.deliveredAt,
  };
}

interface Deps {
  db: Db;
  config: WebhookConfig;
  catalog: WebhookCatalog;
  authSecret: string;
  now: Date;
}

function checkEvents(catalog: WebhookCatalog, events: string[]): string[] {
  const unknown = events.filter((e) => !catalog.get(e));
  if (unknown.length)
    throw new ApiError(422, "validation_failed", `Unknown event types: ${unknown.join(", ")}.`, {
      errors: [
        { path: "events", message: `Known: ${catalog.types().join(", ")}.`, code: "invalid_enum_value" },
      ],
    });
  return [...new Set(events)];
}

/** Registers an endpoint; the secret is returned here once and stored sealed. */
export async function createEndpoint(
  deps: Deps,
  ownerId: string,
  input: { url: string; events: string[]; description?: string },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkWebhookUrl(input.url, deps.config.allowPrivate).toString();
  const events = checkEvents(deps.catalog, input.events);
  const secret = newWebhookSecret();
  const id = newId("whk");
  const nowIso = deps.now.toISOString();
  const row: WebhookEndpoint = {
    id,
    ownerId,
    url,
    events,
    description: input.description ?? null,
    secretSealed: await seal(deps.authSecret, `${SECRET_PURPOSE}:${id}`, secret),
    status: "enabled",
    disabledReason: null,
    consecutiveFailures: 0,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  // The cap and the insert are one statement, so parallel creates can't pass it together.
  const inserted = await deps.db.run(
    sql`INSERT INTO webhook_endpoints (id, owner_id, url, events, description, secret_sealed, status, consecutive_failures, created_at, updated_at)
      SELECT ${id}, ${ownerId}, ${url}, ${JSON.stringify(events)}, ${row.description}, ${row.secretSealed}, 'enabled', 0, ${nowIso}, ${nowIso}
      WHERE (SELECT count(*) FROM webhook_endpoints WHERE owner_id = ${ownerId}) < ${deps.config.maxEndpoints}`,
  );
  if (inserted.meta.changes !== 1)
    throw new ApiError(
      409,
      "too_many_webhooks",
      `You have ${deps.config.maxEndpoints} webhook endpoints; delete one first.`,
    );
  return { endpoint: row, secret };
}

export async function ownedEndpoint(db: Db, ownerId: string, id: string): Promise<WebhookEndpoint> {
  const row = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.ownerId, ownerId)))
    .get();
  if (!row) throw notFound("webhook endpoint");
  return row;
}

export async function listEndpoints(db: Db, ownerId: string, query: { limit: number; cursor?: string }) {
  const page = keyset(webhookEndpoints.createdAt, webhookEndpoints.id, decodeCursor(query.cursor));
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.ownerId, ownerId), page.after))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (r) => r.createdAt);
}

/** Changes the URL, events or description; `enabled: true` turns a disabled endpoint back on. */
export async function updateEndpoint(
  deps: Deps,
  ownerId: string,
  id: string,
  input: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
): Promise<WebhookEndpoint> {
  await ownedEndpoint(deps.db, ownerId, id);
  const change: Partial<WebhookEndpoint> = { updatedAt: deps.now.toISOString() };
  if (input.url !== undefined) change.url = checkWebhookUrl(input.url, deps.config.allowPrivate).toString();
  if (input.events !== undefined) change.events = checkEvents(deps.catalog, input.events);
  if (input.description !== undefined) change.description = input.description;
  if (input.enabled === true)
    Object.assign(change, { status: "enabled", disabledReason: null, consecutiveFailures: 0 });
  if (input.enabled === false)
    Object.assign(change, { status: "disabled", disabledReason: "disabled by you" });
  const [row] = await deps.db
    .update(webhookEndpoints)
    .set(change)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.ownerId, ownerId)))
    .returning();
  if (!row) throw notFound("webhook endpoint");
  return row;
}

/** Deletes the endpoint and its delivery log (cascade); queued messages then find nothing and stop. */
export async function deleteEndpoint(db: Db, ownerId: string, id: string): Promise<void> {
  const gone = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.ownerId, ownerId)))
    .returning({ id: webhookEndpoints.id });
  if (gone.length === 0) throw notFound("webhook endpoint");
}

/** The endpoint's delivery log, newest first. */
export async function listDeliveries(
  db: Db,
  ownerId: string,
  endpointId: string,
  query: { limit: number; cursor?: string; status?: WebhookDelivery["status"] },
) {
  await ownedEndpoint(db, ownerId, endpointId);
  const page = keyset(webhookDeliveries.createdAt, webhookDeliveries.id, decodeCursor(query.cursor), {
    descending: true,
  });
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        query.status ? eq(webhookDeliveries.status, query.status) : undefined,
        page.after,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (r) => r.createdAt);
}

/**
 * Sends a delivery again (the log's "resend"): a new round of attempts with the same message id and
 * bytes, so a receiver that did get it can tell. Only a finished delivery: one still being tried
 * already has its next attempt queued.
 */
export async function resendDelivery(
  db: Db,
  ownerId: string,
  endpointId: string,
  deliveryId: string,
  now: Date,
): Promise<WebhookDelivery> {
  await ownedEndpoint(db, ownerId, endpointId);
  const nowIso = now.toISOString();
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, leaseUntil: null, updatedAt: nowIso })
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookDeliveries.endpointId, endpointId),
        sql`${webhookDeliveries.status} IN ('succeeded', 'failed')`,
      ),
    )
    .returning();
  if (row) return row;
  const exists = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
    .get();
  if (!exists) throw notFound("delivery");
  throw new ApiError(
    409,
    "delivery_in_flight",
    "This delivery is still being tried; wait until it has succeeded or failed.",
  );
}
