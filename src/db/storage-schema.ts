import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs-schema";
import { users } from "./schema";

/**
 * A user's connection to an S3-compatible bucket. The secret access key is sealed with a key
 * derived from AUTH_SECRET (`seal`, purpose `storage-secret:<id>`) and never leaves the server;
 * `prefix` is the root every import, export and organize run of the connection stays under.
 */
export const storageConnections = sqliteTable(
  "storage_connections",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull(),
    region: text("region").notNull(),
    bucket: text("bucket").notNull(),
    prefix: text("prefix").notNull(),
    accessKeyId: text("access_key_id").notNull(),
    secretSealed: text("secret_sealed").notNull(),
    lastCheckedAt: text("last_checked_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("storage_connections_owner_idx").on(t.ownerId, t.createdAt, t.id)],
);

export type StorageConnection = typeof storageConnections.$inferSelect;

/**
 * Where an import or export job stands (one row per job, made in the job's creation batch). Each
 * delivery handles one page and commits the next `cursor` with its counts in the job's
 * lease-guarded checkpoint batch, so a redelivery resumes at the last committed page.
 */
export const storageTransfers = sqliteTable("storage_transfers", {
  jobId: text("job_id")
    .primaryKey()
    .references(() => jobs.id, { onDelete: "cascade" }),
  ownerId: text("owner_id").notNull(),
  connectionId: text("connection_id").notNull(),
  direction: text("direction", { enum: ["import", "export"] }).notNull(),
  /** Relative to the connection's root. */
  prefix: text("prefix").notNull(),
  folder: text("folder").notNull(),
  /** Export of a selection: these media ids, else the folder's files (subfolders too). */
  mediaIds: text("media_ids", { mode: "json" }).$type<string[]>(),
  cursor: text("cursor"),
  /** Objects (import) or files (export) to handle; null until counted. */
  total: integer("total"),
  done: integer("done").notNull().default(0),
  copied: integer("copied").notNull().default(0),
  skipped: integer("skipped").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  bytes: integer("bytes").notNull().default(0),
  /** The first few failures: `{key, code, message}`. */
  errors: text("errors", { mode: "json" }).$type<TransferError[]>().notNull().default([]),
});

export interface TransferError {
  key: string;
  code: string;
  message: string;
}

export type StorageTransfer = typeof storageTransfers.$inferSelect;

/**
 * What an imported object's bytes hash to, by the object version the store lists (key, ETag, size):
 * a later import that lists the same version can look for those bytes in its folder without
 * reading the object again. Written in the delivery's checkpoint batch for every object it read;
 * an object changed since (another ETag or size) is read again and its row replaced.
 */
export const storageObjectHashes = sqliteTable(
  "storage_object_hashes",
  {
    connectionId: text("connection_id")
      .notNull()
      .references(() => storageConnections.id, { onDelete: "cascade" }),
    /** Relative to the connection's root. */
    key: text("key").notNull(),
    etag: text("etag").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.key] })],
);
