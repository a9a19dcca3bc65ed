import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

/**
 * Single-use tokens sent by email (verify the address, reset the password). Only a SHA-256 of the
 * token is stored; `usedAt` is set by the one conditional update that consumes it. `userId` is NULL
 * for a reset asked for an address without an (enabled) account: that request writes the same rows
 * as a real one, so its cost says nothing about the address, and such a row names no one — it is
 * never mailed and never accepted.
 */
export const userTokens = sqliteTable(
  "user_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify_email", "password_reset"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [
    uniqueIndex("user_tokens_hash_unique").on(t.tokenHash),
    index("user_tokens_user_idx").on(t.userId, t.purpose),
    index("user_tokens_expires_idx").on(t.expiresAt),
  ],
);

/** Two-factor recovery codes: ten per enablement, stored as keyed hashes, each usable once. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: text("created_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [uniqueIndex("recovery_codes_user_hash").on(t.userId, t.codeHash)],
);
