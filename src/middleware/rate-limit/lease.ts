import type { RateLimitRule } from "../../config";
import type { TakeResult } from "../../durable/rate-limiter";

/**
 * Tokens this isolate took from a per-request bucket ahead of use, so that most requests are
 * admitted without a round trip to the bucket object (a Durable Object call per request was the
 * largest single cost of a signed-in GET; bench:api). The object grants at most LEASE_SIZE tokens
 * and never more than half of what it holds, so near empty every request asks it, one token at a
 * time, exactly as without leases. Tokens a lease still holds after LEASE_MS go back to the bucket
 * with the next request that asks it. An isolate has at most one call to the bucket in flight per
 * key; requests that find the lease empty meanwhile wait for that call's lease.
 *
 * Tolerance (stated in docs/adr/0013-request-hot-path.md, tested in test/hardening/rate-lease.test.ts):
 * one isolate alone admits exactly what the bucket allows. Across isolates a caller may get up to
 * LEASE_SIZE − 1 requests per isolate more than the bucket alone would allow (tokens leased before
 * a refill the full bucket would have dropped), and may be refused while up to LEASE_SIZE − 1
 * tokens per other isolate sit leased, for at most LEASE_MS.
 */
export const LEASE_SIZE = 8;
export const LEASE_MS = 1000;
const MAX_LEASES = 10_000;

interface Lease {
  tokens: number;
  takenMs: number;
  /** What the bucket held after granting this lease, and when it said it would be full. */
  bucketRemaining: number;
  resetSeconds: number;
}

const leases = new Map<string, Lease>();
/** The bucket call this isolate has in flight per key: concurrent requests wait for it, not ask too. */
const asking = new Map<string, Promise<unknown>>();

/** Takes one token of `<key>` (a bucket with `rule`), from this isolate's lease when it has one. */
export async function takeLeased(env: Env, key: string, rule: RateLimitRule): Promise<TakeResult> {
  for (;;) {
    const lease = leases.get(key);
    if (lease && lease.tokens > 0 && Date.now() - lease.takenMs < LEASE_MS) {
      lease.tokens--;
      return {
        allowed: true,
        limit: rule.capacity,
        remaining: lease.bucketRemaining + lease.tokens,
        resetSeconds: lease.resetSeconds,
        retryAfterSeconds: 0,
      };
    }
    // Without this, every request arriving while the lease is empty asked the bucket itself, and the
    // isolate kept all their grants: more than the LEASE_SIZE − 1 tokens the tolerance allows it.
    const pending = asking.get(key);
    if (!pending) break;
    await pending.catch(() => {});
  }
  const ask = askBucket(env, key, rule);
  asking.set(key, ask);
  try {
    return await ask;
  } finally {
    asking.delete(key);
  }
}

/** One call to the bucket object: hands back a stale lease's tokens and takes a new lease. */
async function askBucket(env: Env, key: string, rule: RateLimitRule): Promise<TakeResult> {
  const now = Date.now();
  const refund = leases.get(key)?.tokens ?? 0;
  leases.delete(key);
  const grant = await env.RATE_LIMITER.getByName(key).lease(
    rule.capacity,
    rule.refillPerMinute,
    LEASE_SIZE,
    refund,
    now,
  );
  const { granted, ...result } = grant;
  if (granted > 1) {
    if (leases.size >= MAX_LEASES) leases.clear();
    leases.set(key, {
      tokens: granted - 1,
      takenMs: now,
      bucketRemaining: result.remaining,
      resetSeconds: result.resetSeconds,
    });
  }
  return { ...result, remaining: result.remaining + Math.max(0, granted - 1) };
}
