import { eq, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
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

export async function cacheVersion(db: Db, userId: string): Promise<number> {
  const row = await db.select({ v: users.cacheVersion }).from(users).where(eq(users.id, userId)).get();
  return row?.v ?? 0;
}

export async function cached<T>(
  kv: KVNamespace,
  db: Db,
  input: { userId: string; kind: "list" | "stats" | "folders"; query: unknown; ttl: number; bypass: boolean },
  compute: () => Promise<T>,
): Promise<CacheResult<T>> {
  const version = await cacheVersion(db, input.userId);
  const key = `media:${input.kind}:${input.userId}:v${version}:${await sha256Hex(JSON.stringify(input.query ?? null))}`;
  if (!input.bypass) {
    const hit = await kv.get<T>(key, "json");
    if (hit !== null) return { value: hit, hit: true };
  }
  const value = await compute();
  await kv.put(key, JSON.stringify(value), { expirationTtl: Math.max(60, input.ttl) });
  return { value, hit: false };
}
