import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

/**
 * A user's webhook endpoint (Standard Webhooks). The signing secret is sealed with a key derived
 * from AUTH_SECRET (`seal`, purpose `webhook-secret`) and shown once, when the endpoint is made.
 * `consecutiveFailures` counts deliveries that failed for good since the last success; the endpoint
 * is disabled (with an email) when it reaches the configured limit.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    description: text("description"),
    secretSealed: text("secret_sealed").notNull(),
    status: text("status", { enum: ["enabled", "disabled"] })
      .notNull()
      .default("enabled"),
    disabledReason: text("disabled_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_owner_idx").on(t.ownerId, t.createdAt, t.id)],
);

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "sending", "retry", "succeeded", "failed"] as const;

/**
 * One event for one endpoint. `payload` is composed once, at fan-out, so every attempt (and a
 * resend) sends the same bytes under the same `webhook-id` (the event id). A consumer owns a
 * `sending` row until `leaseUntil`. The last attempt's answer is kept: status code, duration, error.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    status: text("status", { enum: WEBHOOK_DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: text("lease_until"),
    responseStatus: integer("response_status"),
    durationMs: integer("duration_ms"),
    lastError: text("last_error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    deliveredAt: text("delivered_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_unique").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt, t.id),
    // The relay's sweep for deliveries whose queue message may have been lost.
    index("webhook_deliveries_open_idx")
      .on(t.status, t.updatedAt)
      .where(sql`status IN ('pending', 'sending', 'retry')`),
  ],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
