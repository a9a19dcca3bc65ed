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
    const perMs = refillPerMinute / 60_000;
    const tokens = await this.refilled(capacity, perMs, nowMs);
    const allowed = tokens >= cost;
    return this.settle(capacity, perMs, allowed ? tokens - cost : tokens, allowed, cost, nowMs);
  }

  /**
   * For an isolate that spends tokens ahead (src/middleware/rate-limit/lease.ts): puts back `refund`
   * tokens an earlier grant left unused, then grants up to `want` at once — never more than half of
   * what the bucket holds, so near empty every request comes here one token at a time.
   */
  async lease(
    capacity: number,
    refillPerMinute: number,
    want: number,
    refund = 0,
    nowMs = Date.now(),
  ): Promise<TakeResult & { granted: number }> {
    const perMs = refillPerMinute / 60_000;
    const tokens = Math.min(capacity, (await this.refilled(capacity, perMs, nowMs)) + Math.max(0, refund));
    const granted = tokens >= 1 ? Math.max(1, Math.min(want, Math.floor(tokens / 2))) : 0;
    const result = await this.settle(capacity, perMs, tokens - granted, granted > 0, 1, nowMs);
    return { ...result, granted };
  }

  private async refilled(capacity: number, perMs: number, nowMs: number): Promise<number> {
    this.bucket ??= (await this.ctx.storage.get<Bucket>("bucket")) ?? { tokens: capacity, updatedMs: nowMs };
    const elapsed = Math.max(0, nowMs - this.bucket.updatedMs);
    return Math.min(capacity, this.bucket.tokens + elapsed * perMs);
  }

  private async settle(
    capacity: number,
    perMs: number,
    left: number,
    allowed: boolean,
    cost: number,
    nowMs: number,
  ): Promise<TakeResult> {
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
