import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { type Db, getDb } from "../../db/client";
import { cached } from "../../media/cache";
import { mediaConfig } from "../../media/config";
import { caller } from "../../policy";

/**
 * A read of the caller's library through the KV cache (src/media/cache.ts): `Cache-Control:
 * no-cache` skips a cached answer, and `X-Cache` tells which it was.
 */
export async function cachedRead<T>(
  c: Context<AppEnv>,
  kind: "list" | "stats" | "folders",
  query: unknown,
  read: (db: Db, userId: string) => Promise<T>,
): Promise<T> {
  const { userId } = caller(c);
  const db = getDb(c.env.DB);
  const bypass = /no-cache|no-store/i.test(c.req.header("cache-control") ?? "");
  const result = await cached(
    c.env.CACHE,
    db,
    { userId, kind, query, ttl: mediaConfig(c.env).cacheTtlSeconds, bypass },
    () => read(db, userId),
  );
  c.header("X-Cache", result.hit ? "HIT" : "MISS");
  return result.value;
}
