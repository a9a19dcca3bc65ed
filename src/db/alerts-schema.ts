import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What an alert rule watches (src/alerts/signals.ts measures each over the rule's window). */
export const ALERT_SIGNALS = [
  "error_rate",
  "p95_ms",
  "dead_letters",
  "queue_wait_s",
  "health_failing",
] as const;
export type AlertSignal = (typeof ALERT_SIGNALS)[number];

/**
 * An alert rule: fires when its signal is above `threshold` over the last `windowMinutes`, resolves
 * when it no longer is. `state` moves only by conditional update (src/alerts/evaluate.ts), so each
 * transition is recorded — and notified — once, however many cron runs see it.
 */
export const alertRules = sqliteTable("alert_rules", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  signal: text("signal", { enum: ALERT_SIGNALS }).notNull(),
  threshold: real("threshold").notNull(),
  windowMinutes: integer("window_minutes").notNull().default(5),
  /** Where the fired/resolved mail goes; null for none. */
  email: text("email"),
  /** Whether transitions go to the creator's webhook endpoints subscribed to alert.fired/resolved. */
  webhook: integer("webhook", { mode: "boolean" }).notNull().default(false),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  state: text("state", { enum: ["ok", "firing"] })
    .notNull()
    .default("ok"),
  stateChangedAt: text("state_changed_at"),
  /** The signal's value at the last evaluation, and when that was. */
  lastValue: real("last_value"),
  lastEvaluatedAt: text("last_evaluated_at"),
  createdBy: text("created_by").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Alert history: one row per transition, written in the batch that makes it. */
export const alertEvents = sqliteTable(
  "alert_events",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull(),
    kind: text("kind", { enum: ["fired", "resolved"] }).notNull(),
    signal: text("signal", { enum: ALERT_SIGNALS }).notNull(),
    value: real("value").notNull(),
    threshold: real("threshold").notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("alert_events_at_idx").on(t.at, t.id), index("alert_events_rule_idx").on(t.ruleId, t.at)],
);

export type AlertRule = typeof alertRules.$inferSelect;
export type AlertEvent = typeof alertEvents.$inferSelect;
