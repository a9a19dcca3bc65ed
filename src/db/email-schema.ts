import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per outbox event that produces mail: the delivery's state. The row's key is the event id,
 * so one event can never become two deliveries; a consumer owns a `sending` row until `leaseUntil`.
 */
export const emailDeliveries = sqliteTable(
  "email_deliveries",
  {
    eventId: text("event_id").primaryKey(),
    topic: text("topic").notNull(),
    toAddress: text("to_address"),
    status: text("status", { enum: ["sending", "retry", "sent", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    leaseUntil: text("lease_until"),
    provider: text("provider"),
    providerMessageId: text("provider_message_id"),
    lastError: text("last_error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    sentAt: text("sent_at"),
  },
  (t) => [index("email_deliveries_status_idx").on(t.status, t.updatedAt)],
);

/** What the `log` mail provider "sends": kept in D1 for the admin-only dev mailbox. */
export const devMail = sqliteTable(
  "dev_mail",
  {
    /** The outbox event id: a re-sent event overwrites nothing and adds nothing. */
    id: text("id").primaryKey(),
    toAddress: text("to_address").notNull(),
    fromAddress: text("from_address").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    topic: text("topic").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("dev_mail_created_idx").on(t.createdAt, t.id), index("dev_mail_to_idx").on(t.toAddress)],
);
