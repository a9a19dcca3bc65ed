import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Times are UTC ISO-8601 strings, ids are opaque prefixed strings (see src/lib/ids.ts). */

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name"),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    passwordHash: text("password_hash").notNull(),
    disabledAt: text("disabled_at"),
    quotaBytes: integer("quota_bytes").notNull().default(5_368_709_120),
    quotaFiles: integer("quota_files").notNull().default(50_000),
    usedBytes: integer("used_bytes").notNull().default(0),
    usedFiles: integer("used_files").notNull().default(0),
    /** Bumped in the same batch as any write that changes what cached listings show. */
    cacheVersion: integer("cache_version").notNull().default(0),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    index("users_created_idx").on(t.createdAt, t.id),
    check("users_used_bytes_within_quota", sql`${t.usedBytes} >= 0 AND ${t.usedBytes} <= ${t.quotaBytes}`),
    check("users_used_files_within_quota", sql`${t.usedFiles} >= 0 AND ${t.usedFiles} <= ${t.quotaFiles}`),
  ],
);

/**
 * One row per login. A session is both the browser session (cookie token, hashed) and the family
 * of rotating refresh tokens handed out with it; revoking the row ends both.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    cookieTokenHash: text("cookie_token_hash").notNull(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: text("created_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
    absoluteExpiresAt: text("absolute_expires_at").notNull(),
    revokedAt: text("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("sessions_cookie_token_unique").on(t.cookieTokenHash),
  ],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash),
    index("refresh_tokens_session_idx").on(t.sessionId),
  ],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    secretHash: text("secret_hash").notNull(),
    /** Last characters of the secret, so a person can recognise a key without it being stored. */
    hint: text("hint").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at"),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId, t.createdAt)],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state", { enum: ["in_flight", "done"] }).notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: text("response_headers", { mode: "json" }).$type<Record<string, string>>(),
    responseBody: text("response_body"),
    lockedUntil: text("locked_until").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_scope_key").on(t.scope, t.key),
    index("idempotency_expires_idx").on(t.expiresAt),
  ],
);

/** Append-only. Balance = sum(amount). One row per (ref, kind) so a retried write can't apply twice. */
export const creditLedger = sqliteTable(
  "credit_ledger",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["grant", "reserve", "commit", "release"] }).notNull(),
    amount: integer("amount").notNull(),
    ref: text("ref").notNull(),
    note: text("note"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("credit_ledger_ref_kind").on(t.userId, t.ref, t.kind),
    index("credit_ledger_user_idx").on(t.userId),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("audit_log_target_idx").on(t.targetType, t.targetId),
    index("audit_log_created_idx").on(t.createdAt),
  ],
);

/** Events written in the same batch as the state change they describe; relayed by the scheduled handler. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    topic: text("topic").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: text("created_at").notNull(),
    deliveredAt: text("delivered_at"),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("outbox_pending_idx").on(t.deliveredAt, t.createdAt)],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
