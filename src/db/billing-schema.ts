import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

export const PAYMENT_STATUSES = [
  "created",
  "pending",
  "completed",
  "partially_refunded",
  "refunded",
  "reversed",
  "failed",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * One row per credit-pack purchase (a PayPal order). Price and credits are copied from the pack at
 * order time and never taken from the client or from PayPal. The credits themselves are ledger rows
 * (`purchase` keyed by the capture id, `refund` keyed by the refund id), written in the same batch.
 */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    packId: text("pack_id").notNull(),
    credits: integer("credits").notNull(),
    /** Minor units (cents). */
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull().default("created"),
    orderId: text("order_id"),
    captureId: text("capture_id"),
    refundedCents: integer("refunded_cents").notNull().default(0),
    createdAt: text("created_at").notNull(),
    capturedAt: text("captured_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("payments_order_unique").on(t.orderId),
    uniqueIndex("payments_capture_unique").on(t.captureId),
    index("payments_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("payments_created_idx").on(t.createdAt, t.id),
    check("payments_amount_positive", sql`${t.amountCents} > 0 AND ${t.credits} > 0`),
  ],
);

/**
 * Refunds and reversals PayPal reported (by webhook or an admin's refund call), keyed by PayPal's
 * refund id. Recorded even when the capture is not known yet: the debit is applied by whichever
 * batch sees both the refund and its payment's capture, once (the ledger row is keyed by refund id).
 */
export const paymentRefunds = sqliteTable(
  "payment_refunds",
  {
    refundId: text("refund_id").primaryKey(),
    captureId: text("capture_id").notNull(),
    kind: text("kind", { enum: ["refund", "reversal"] }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    currency: text("currency").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("payment_refunds_capture_idx").on(t.captureId)],
);

/**
 * Every verified PayPal webhook transmission, by its transmission id: a second arrival of the same
 * transmission is a replay. (PayPal's own retries are new transmissions of the same event id.)
 */
export const paypalWebhookEvents = sqliteTable(
  "paypal_webhook_events",
  {
    transmissionId: text("transmission_id").primaryKey(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    resourceId: text("resource_id"),
    outcome: text("outcome").notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [
    index("paypal_webhook_events_event_idx").on(t.eventId),
    index("paypal_webhook_received_idx").on(t.receivedAt),
  ],
);

export type Payment = typeof payments.$inferSelect;
