import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import type { Db } from "../db/client";
import { type ApiKey, apiKeys } from "../db/schema";
import { constantTimeEqual, randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { forgetApiKey } from "./session-cache";

/** What an API key may be allowed to do. Sessions and access tokens carry `*`. */
export const API_KEY_SCOPES = [
  "media:read",
  "media:write",
  "jobs:read",
  "jobs:write",
  "account:read",
  "webhooks:read",
  "webhooks:write",
  "storage:read",
  "storage:write",
  "admin",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const KEY_PATTERN = /^ek_(key_[0-9a-z]{20})_([A-Za-z0-9_-]{43})$/;

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith("ek_");
}

export interface CreatedApiKey {
  key: ApiKey;
  /** The whole key; shown to the person once and never stored. */
  secret: string;
}

export async function createApiKey(
  db: Db,
  input: { userId: string; name: string; scopes: ApiKeyScope[]; expiresAt: string | null },
  now: Date,
  audit: AuditContext,
): Promise<CreatedApiKey> {
  const id = newId("key");
  const secretPart = randomToken(32);
  const scopes = [...new Set(input.scopes)].sort();
  const nowIso = now.toISOString();
  const [inserted] = await db.batch([
    db
      .insert(apiKeys)
      .values({
        id,
        userId: input.userId,
        name: input.name,
        secretHash: await sha256Hex(secretPart),
        hint: secretPart.slice(-4),
        scopes,
        createdAt: nowIso,
        expiresAt: input.expiresAt,
      })
      .returning(),
    auditStatement(
      db,
      audit,
      {
        action: "api_key.created",
        subjectId: input.userId,
        targetType: "api_key",
        targetId: id,
        detail: { name: input.name, scopes, expiresAt: input.expiresAt },
      },
      nowIso,
    ),
  ]);
  return { key: inserted[0]!, secret: `ek_${id}_${secretPart}` };
}

/** The live key behind a presented secret, or null. The secret is compared in constant time. */
export async function resolveApiKey(db: Db, presented: string, now: Date): Promise<ApiKey | null> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return null;
  const row = await db.select().from(apiKeys).where(eq(apiKeys.id, match[1]!)).get();
  if (!row || row.revokedAt) return null;
  if (row.expiresAt && row.expiresAt <= now.toISOString()) return null;
  return constantTimeEqual(await sha256Hex(match[2]!), row.secretHash) ? row : null;
}

const TOUCH_EVERY_MS = 60_000;
const touchedMs = new Map<string, number>();

/**
 * Whether this isolate should record a use of key `id` now: at most once a minute per key, so a
 * key's requests make no D1 write (nor a call that writes nothing) between its `lastUsedAt` steps.
 */
export function touchDue(id: string, nowMs: number): boolean {
  const last = touchedMs.get(id);
  if (last !== undefined && nowMs - last < TOUCH_EVERY_MS) return false;
  if (touchedMs.size >= 10_000) touchedMs.clear();
  touchedMs.set(id, nowMs);
  return true;
}

/** Records use at most once a minute per key (also across isolates), to keep reads cheap. */
export async function touchApiKey(db: Db, id: string, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - TOUCH_EVERY_MS).toISOString();
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, cutoff))));
}

export function listApiKeys(db: Db, userId: string) {
  return db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt)).all();
}

/**
 * Revokes every live key of a user, as a statement for the batch that changes what the keys were
 * vouched for by: a new password, a disabled account. Re-enabling an account doesn't revive them.
 */
export function revokeAllApiKeys(db: Db, userId: string, nowIso: string) {
  return db
    .update(apiKeys)
    .set({ revokedAt: nowIso })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
}

/** Revokes one of the user's keys; false when there is no such live key of theirs. */
export async function revokeApiKey(
  db: Db,
  userId: string,
  id: string,
  now: Date,
  audit: AuditContext,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const [changed] = await db.batch([
    db
      .update(apiKeys)
      .set({ revokedAt: nowIso })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id }),
    auditStatement(
      db,
      audit,
      { action: "api_key.revoked", subjectId: userId, targetType: "api_key", targetId: id },
      nowIso,
      sql`changes() = 1`,
    ),
  ]);
  if (changed.length !== 1) return false;
  // This isolate stops admitting it at once; others within SESSION_CACHE_SECONDS (ADR 0013).
  forgetApiKey(id);
  return true;
}
