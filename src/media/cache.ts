import { eq, sql } from "drizzle-orm";
import { type Db, preparedOnce, rawInBatch } from "../db/client";
import { users } from "../db/schema";
import { sha256Hex } from "../lib/crypto";

/**
 * Read-through KV cache for listings and stats. Keys carry `users.cache_version`, which every write
 * bumps in its own batch, so a cached answer can never hide a change: after a write the key simply
 * differs. Old keys age out by TTL.
 */
export interface CacheResult<T> {
  value: T;
  hit: boolean;
}

/** The statement that bumps the owner's cache version: put it in the batch of every write listings show. */
export const bumpCacheVersion = (db: Db, ownerId: string) =>
  rawInBatch(db, sql`UPDATE users SET cache_version = cache_version + 1 WHERE id = ${ownerId}`);

/** Every cached read makes this read first, so it is a query prepared once per isolate (ADR 0013). */
export async function cacheVersion(db: Db, userId: string): Promise<number> {
  const row = await preparedOnce(db, "cacheVersion", (d) =>
    d
      .select({ v: users.cacheVersion })
      .from(users)
      .where(eq(users.id, sql.placeholder("userId")))
      .prepare(),
  ).get({ userId });
  return row?.v ?? 0;
}

/**
 * What this isolate last read from KV (or computed) under a versioned key: a repeat of a listing
 * costs the version read and no KV read (bench:api, ADR 0013 step 11). Same keys, so it can never
 * hide a change either; the most recent answers per isolate, each for the cache's TTL, at most
 * RECENT_MAX of them and RECENT_MAX_CHARS characters of their JSON. (A 100-item page of long names
 * is over 55,000 characters: by count alone, 200 of them would hold over 11 MB of an isolate's 128 MB.)
 */
const recent = new Map<string, { value: unknown; chars: number; expiresMs: number }>();
const RECENT_MAX = 200;
export const RECENT_MAX_CHARS = 4 * 1024 * 1024;
let recentChars = 0;

function forget(key: string) {
  const entry = recent.get(key);
  if (!entry) return;
  recent.delete(key);
  recentChars -= entry.chars;
}

function remember(key: string, value: unknown, chars: number, ttlSeconds: number) {
  forget(key);
  if (chars > RECENT_MAX_CHARS) return;
  while (recent.size >= RECENT_MAX || recentChars + chars > RECENT_MAX_CHARS)
    forget(recent.keys().next().value as string);
  recent.set(key, { value, chars, expiresMs: Date.now() + ttlSeconds * 1000 });
  recentChars += chars;
}

export async function cached<T>(
  kv: KVNamespace,
  db: Db,
  input: { userId: string; kind: "list" | "stats" | "folders"; query: unknown; ttl: number; bypass: boolean },
  compute: () => Promise<T>,
): Promise<CacheResult<T>> {
  const version = await cacheVersion(db, input.userId);
  const query = JSON.stringify(input.query ?? null);
  const recentKey = `${input.kind}:${input.userId}:v${version}:${query}`;
  const ttl = Math.max(60, input.ttl);
  if (!input.bypass) {
    const near = recent.get(recentKey);
    if (near && near.expiresMs > Date.now()) return { value: near.value as T, hit: true };
  }
  const key = `media:${input.kind}:${input.userId}:v${version}:${await sha256Hex(query)}`;
  if (!input.bypass) {
    const hit = await kv.get(key, "text");
    if (hit !== null) {
      const value = JSON.parse(hit) as T;
      remember(recentKey, value, hit.length, ttl);
      return { value, hit: true };
    }
  }
  const value = await compute();
  const text = JSON.stringify(value);
  await kv.put(key, text, { expirationTtl: ttl });
  remember(recentKey, value, text.length, ttl);
  return { value, hit: false };
}
