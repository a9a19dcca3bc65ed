import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

/** The operations console's tables (issue 17): announcements and who dismissed them. */

export const ANNOUNCEMENT_SEVERITIES = ["info", "warning", "critical"] as const;
export const ANNOUNCEMENT_AUDIENCES = ["all", "admins"] as const;
export const ANNOUNCEMENT_FORMATS = ["text", "markdown"] as const;

/** Shown as a banner between `startsAt` and `endsAt` (open-ended when null) to its audience. */
export const announcements = sqliteTable(
  "announcements",
  {
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    /** Plain text, or the safe Markdown subset (src/announcements/markdown.ts) when `format` says so. */
    body: text("body").notNull(),
    format: text("format", { enum: ANNOUNCEMENT_FORMATS }).notNull().default("text"),
    severity: text("severity", { enum: ANNOUNCEMENT_SEVERITIES }).notNull().default("info"),
    audience: text("audience", { enum: ANNOUNCEMENT_AUDIENCES }).notNull().default("all"),
    startsAt: text("starts_at").notNull(),
    endsAt: text("ends_at"),
    createdBy: text("created_by"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("announcements_window_idx").on(t.startsAt, t.endsAt)],
);

/** A user closed an announcement's banner: it stays closed for them on every device. */
export const announcementDismissals = sqliteTable(
  "announcement_dismissals",
  {
    announcementId: text("announcement_id")
      .notNull()
      .references(() => announcements.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    dismissedAt: text("dismissed_at").notNull(),
  },
  (t) => [uniqueIndex("announcement_dismissals_unique").on(t.userId, t.announcementId)],
);

export type Announcement = typeof announcements.$inferSelect;

/**
 * Upper bounds (ms) of the latency histogram buckets of a rollup; the last bucket is everything
 * slower. Percentiles are read from the merged buckets (the bound of the bucket they fall in).
 */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/**
 * Request metrics per minute, route (the route pattern, not the path) and status class, as the
 * metrics Durable Object flushes them (src/metrics): written in batches by upsert, never per request.
 */
export const metricRollups = sqliteTable(
  "metric_rollups",
  {
    /** `YYYY-MM-DDTHH:MM` (UTC). */
    minute: text("minute").notNull(),
    route: text("route").notNull(),
    /** `2xx`, `3xx`, `4xx`, `5xx`. */
    statusClass: text("status_class").notNull(),
    count: integer("count").notNull(),
    sumMs: integer("sum_ms").notNull(),
    maxMs: integer("max_ms").notNull(),
    /** Counts per latency bucket (LATENCY_BOUNDS_MS), a JSON array merged element-wise on upsert. */
    buckets: text("buckets", { mode: "json" }).$type<number[]>().notNull(),
  },
  (t) => [uniqueIndex("metric_rollups_key").on(t.minute, t.route, t.statusClass)],
);

/**
 * API use per user, UTC day and route class (`media`, `jobs`, …: the path segment after /api/v1),
 * added up by the metrics Durable Objects and flushed by upsert like the rollups (src/usage): no D1
 * write per request. Bytes are request bodies (uploaded) and answers with a known length (served).
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    userId: text("user_id").notNull(),
    /** `YYYY-MM-DD` (UTC). */
    day: text("day").notNull(),
    routeClass: text("route_class").notNull(),
    calls: integer("calls").notNull(),
    bytesIn: integer("bytes_in").notNull(),
    bytesOut: integer("bytes_out").notNull(),
  },
  (t) => [
    uniqueIndex("usage_daily_key").on(t.userId, t.day, t.routeClass),
    index("usage_daily_day_idx").on(t.day),
  ],
);

/** One health probe per cron minute (src/health): uptime over 24 h / 7 d and the last failures. */
export const healthProbes = sqliteTable("health_probes", {
  at: text("at").primaryKey(),
  ok: integer("ok", { mode: "boolean" }).notNull(),
  checks: text("checks", { mode: "json" }).$type<Record<string, string>>().notNull(),
  durationMs: integer("duration_ms").notNull(),
});
