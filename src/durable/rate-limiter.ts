import { DurableObject } from "cloudflare:workers";

export interface TakeResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until one token is back; 0 when allowed. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket, one object per key (`<rule>:<subject>`). Single-threaded by construction, so
 * concurrent requests for the same key can't overspend. State is kept in memory and written to
 * storage so an evicted object resumes where it was.
 */
export class RateLimiter extends DurableObject<Env> {
  private bucket: Bucket | null = null;

  async take(capacity: number, refillPerMinute: number, cost = 1, nowMs = Date.now()): Promise<TakeResult> {
    this.bucket ??= (await this.ctx.storage.get<Bucket>("bucket")) ?? { tokens: capacity, updatedMs: nowMs };
    const perMs = refillPerMinute / 60_000;
    const elapsed = Math.max(0, nowMs - this.bucket.updatedMs);
    const tokens = Math.min(capacity, this.bucket.tokens + elapsed * perMs);
    const allowed = tokens >= cost;
    const left = allowed ? tokens - cost : tokens;
    this.bucket = { tokens: left, updatedMs: nowMs };
    await this.ctx.storage.put("bucket", this.bucket);
    return {
      allowed,
      limit: capacity,
      remaining: Math.floor(left),
      resetSeconds: Math.ceil((capacity - left) / perMs / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - left) / perMs / 1000)),
    };
  }
}
