import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { MediaMetadata } from "../media/metadata/extract";

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
    /** Set when the owner proved the address (a verify link or a password reset); null until then. */
    emailVerifiedAt: text("email_verified_at"),
    /** TOTP secret, sealed with a key derived from AUTH_SECRET (src/auth/two-factor.ts); null when 2FA is off. */
    totpSecret: text("totp_secret"),
    /** A secret handed out by 2FA setup, waiting for its first code; sealed like `totpSecret`. */
    totpPendingSecret: text("totp_pending_secret"),
    totpEnabledAt: text("totp_enabled_at"),
    /** Highest TOTP time step accepted so far: a code at or below it is a replay. */
    totpLastStep: integer("totp_last_step"),
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

/**
 * Append-only. Balance = sum(amount). One row per (ref, kind) so a retried write can't apply twice.
 * Kinds: `grant` (sign-up), `reserve`/`commit`/`release` (jobs), `purchase`/`refund` (PayPal, ref =
 * capture / refund id), `adjust` (an admin's grant or revoke, with its reason in the audit log).
 */
export const creditLedger = sqliteTable(
  "credit_ledger",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", {
      enum: ["grant", "reserve", "commit", "release", "purchase", "refund", "adjust"],
    }).notNull(),
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

/**
 * The audit trail (src/audit): append-only — triggers refuse every UPDATE, and every DELETE of a row
 * younger than a day, so only the retention sweep removes rows (migration 0013). Each row is written
 * in the same db.batch() as the change it records. `subjectId` is the account the event is about
 * (its owner sees it under /me/security-events); `detail` holds small before/after values.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorId: text("actor_id"),
    subjectId: text("subject_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    requestId: text("request_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("audit_log_target_idx").on(t.targetType, t.targetId),
    index("audit_log_created_idx").on(t.createdAt),
    index("audit_log_actor_idx").on(t.actorId, t.createdAt),
    index("audit_log_action_idx").on(t.action, t.createdAt),
    index("audit_log_subject_idx").on(t.subjectId, t.createdAt),
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
    /** When the webhook relay looked at this event (src/webhooks/relay.ts); null until then. */
    webhooksAt: text("webhooks_at"),
  },
  (t) => [
    index("outbox_pending_idx").on(t.deliveredAt, t.createdAt),
    index("outbox_webhooks_idx").on(t.createdAt, t.id).where(sql`webhooks_at IS NULL`),
  ],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;

// ------------------------------------------------------------------ media library (issue 4)

/**
 * Bytes in R2, one row per content (SHA-256). `objectKey` is the R2 object holding them, written
 * for this row alone (`blobs/<sha256>/<random>`; NULL for rows from before: `blobs/<sha256>`), so a
 * row deleted at refcount 0 takes exactly its own object with it and no writer can rely on it
 * meanwhile (ADR 0008). `refCount` counts media rows (and source blobs, for thumbnails) that point
 * here. A thumbnail is a property of the bytes, so it lives on the source blob: `thumbSha256` names
 * another blob.
 */
export const blobs = sqliteTable(
  "blobs",
  {
    sha256: text("sha256").primaryKey(),
    objectKey: text("object_key"),
    size: integer("size").notNull(),
    mime: text("mime").notNull(),
    refCount: integer("ref_count").notNull().default(0),
    thumbStatus: text("thumb_status", { enum: ["none", "pending", "ready", "failed"] })
      .notNull()
      .default("none"),
    thumbSha256: text("thumb_sha256"),
    thumbAttempts: integer("thumb_attempts").notNull().default(0),
    /**
     * Image fingerprints (src/media/fingerprints): SHA-256 of the decoded pixels ("same picture"), a
     * 64-bit perceptual hash as 16 hex digits and a colour signature as 18 ("look-alike"). `none`:
     * never asked (or not an image we decode), `pending`: to be made, `ready`, `failed` (after
     * FINGERPRINT_ATTEMPTS). `fingerprint_version`: the algorithm that made phash and colour (0: the
     * first pHash, without colour); ready rows of an older version are made again, as missing ones.
     */
    pixelHash: text("pixel_hash"),
    phash: text("phash"),
    colour: text("colour"),
    fingerprintVersion: integer("fingerprint_version").notNull().default(0),
    fingerprintStatus: text("fingerprint_status", { enum: ["none", "pending", "ready", "failed"] })
      .notNull()
      .default("none"),
    fingerprintAttempts: integer("fingerprint_attempts").notNull().default(0),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    index("blobs_unreferenced_idx").on(t.refCount, t.createdAt),
    index("blobs_thumb_idx").on(t.thumbStatus, t.thumbAttempts),
    index("blobs_fingerprint_idx").on(t.fingerprintStatus, t.fingerprintAttempts),
    check("blobs_ref_count_nonnegative", sql`${t.refCount} >= 0`),
  ],
);

/** One row per upload. `folder` is a path (`/`, `/projects/logo`); names never reach storage keys. */
export const media = sqliteTable(
  "media",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Lower-cased name, for case-insensitive sorting with an index. */
    nameKey: text("name_key").notNull(),
    folder: text("folder").notNull().default("/"),
    mime: text("mime").notNull(),
    kind: text("kind", {
      enum: ["image", "video", "audio", "document", "archive", "text", "other"],
    }).notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    width: integer("width"),
    height: integer("height"),
    /** JSON array of tags (lower-case); `media_tags` is the indexed copy used for filtering. */
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    trashedAt: text("trashed_at"),
    /** A stacked duplicate: the file shown for the stack (listings hide stacked files unless asked). */
    stackOf: text("stack_of"),
    /** When the photo was taken (EXIF/XMP), UTC; null when the file doesn't say. */
    takenAt: text("taken_at"),
    /** Photo metadata read at upload (camera, exposure, orientation, GPS); null for other files. */
    metadata: text("metadata", { mode: "json" }).$type<MediaMetadata>(),
    /** The "date taken" sort key: when taken, else when uploaded (a virtual column, for its index). */
    takenSort: text("taken_sort").generatedAlwaysAs(sql`coalesce(taken_at, created_at)`, { mode: "virtual" }),
  },
  (t) => [
    index("media_owner_created_idx").on(t.ownerId, t.createdAt, t.id),
    index("media_owner_taken_idx").on(t.ownerId, t.takenSort, t.id),
    index("media_owner_name_idx").on(t.ownerId, t.nameKey, t.id),
    index("media_owner_size_idx").on(t.ownerId, t.size, t.id),
    /** Folder listings and the organizer's name-conflict probes (one seek per folder + name). */
    index("media_owner_folder_name_idx").on(t.ownerId, t.folder, t.nameKey),
    index("media_owner_sha_idx").on(t.ownerId, t.sha256),
    index("media_trashed_idx").on(t.trashedAt),
    index("media_sha_idx").on(t.sha256),
  ],
);

export const mediaTags = sqliteTable(
  "media_tags",
  {
    mediaId: text("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
    ownerId: text("owner_id").notNull(),
    tag: text("tag").notNull(),
  },
  (t) => [
    uniqueIndex("media_tags_media_tag_unique").on(t.mediaId, t.tag),
    index("media_tags_owner_tag_idx").on(t.ownerId, t.tag),
  ],
);

/**
 * Share links: one file, a folder (with its sub-folders) or a selection (`share_items`). The token is
 * an HMAC of the id (src/media/shares.ts), never stored; expiry, password (hashed) and revocation live
 * here, so a link can be extended or revoked without changing its URL.
 */
export const shares = sqliteTable(
  "shares",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["file", "folder", "selection"] })
      .notNull()
      .default("file"),
    /** The file of a `file` share. */
    mediaId: text("media_id").references(() => media.id, { onDelete: "cascade" }),
    /** The folder of a `folder` share. */
    folder: text("folder"),
    passwordHash: text("password_hash"),
    expiresAt: text("expires_at").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
    downloads: integer("downloads").notNull().default(0),
    views: integer("views").notNull().default(0),
    lastAccessedAt: text("last_accessed_at"),
  },
  (t) => [
    index("shares_media_idx").on(t.mediaId, t.createdAt),
    index("shares_owner_idx").on(t.ownerId, t.createdAt, t.id),
  ],
);

/** The files of a `selection` share. */
export const shareItems = sqliteTable(
  "share_items",
  {
    shareId: text("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    mediaId: text("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.shareId, t.mediaId] })],
);

/** Resumable uploads on top of an R2 multipart upload at `uploads/<id>`; parts are recorded as they land. */
export const mediaUploads = sqliteTable(
  "media_uploads",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    r2UploadId: text("r2_upload_id").notNull(),
    name: text("name").notNull(),
    folder: text("folder").notNull(),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
    /** What completing does when the folder already has a file of this name (src/media/conflicts.ts). */
    onConflict: text("on_conflict", { enum: ["rename", "replace", "skip"] })
      .notNull()
      .default("rename"),
    status: text("status", { enum: ["open", "completing", "done", "aborted"] })
      .notNull()
      .default("open"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [
    index("media_uploads_owner_idx").on(t.ownerId, t.createdAt),
    index("media_uploads_expires_idx").on(t.status, t.expiresAt),
  ],
);

export const mediaUploadParts = sqliteTable(
  "media_upload_parts",
  {
    uploadId: text("upload_id")
      .notNull()
      .references(() => mediaUploads.id, { onDelete: "cascade" }),
    partNumber: integer("part_number").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [uniqueIndex("media_upload_parts_unique").on(t.uploadId, t.partNumber)],
);

/**
 * Folders made on purpose (`POST /folders`), so they exist while empty. A folder with files exists
 * anyway (it is a column of media rows); the tree is the union of both.
 */
export const folders = sqliteTable(
  "folders",
  {
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ownerId, t.path] })],
);

export type Blob = typeof blobs.$inferSelect;
export type Media = typeof media.$inferSelect;
export type Share = typeof shares.$inferSelect;
export type MediaUpload = typeof mediaUploads.$inferSelect;
