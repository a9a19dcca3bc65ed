import type { RateLimitRule } from "../../config";
import type { TakeResult } from "../../durable/rate-limiter";

/**
 * Tokens this isolate took from a per-request bucket ahead of use, so that most requests are
 * admitted without a round trip to the bucket object (a Durable Object call per request was the
 * largest single cost of a signed-in GET; bench:api). The object grants at most LEASE_SIZE tokens
 * and never more than half of what it holds, so near empty every request asks it, one token at a
 * time, exactly as without leases. Tokens a lease still holds after LEASE_MS go back to the bucket
 * with the next request that asks it. An isolate has at most one lease call to the bucket in flight
 * per key; a request that finds the lease empty meanwhile asks the bucket for exactly one token of
 * its own. It never awaits the other request's call: workerd ties a call's I/O to the request that
 * made it, and a request awaiting another's answered 500 under load ("Cannot perform I/O on behalf of
 * a different request") or was cancelled as hung when that request ended first.
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
/**
 * Keys whose lease this isolate is asking the bucket for, with when the ask began. A request the
 * runtime cancels mid-call never runs its `finally`, so an ask older than LEASE_MS counts as gone.
 */
const leasing = new Map<string, number>();

/** Takes one token of `<key>` (a bucket with `rule`), from this isolate's lease when it has one. */
export async function takeLeased(env: Env, key: string, rule: RateLimitRule): Promise<TakeResult> {
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
  // Another request of this isolate is taking a lease: one token for this one alone, so the isolate
  // still holds at most the one lease (the LEASE_SIZE − 1 tolerance) and waits on nobody's call.
  const askedAt = leasing.get(key);
  if (askedAt !== undefined && Date.now() - askedAt < LEASE_MS) return askBucket(env, key, rule, 1);
  leasing.set(key, Date.now());
  try {
    return await askBucket(env, key, rule, LEASE_SIZE);
  } finally {
    leasing.delete(key);
  }
}

/**
 * One call to the bucket object for up to `want` tokens. A lease call (want > 1) hands back a stale
 * lease's tokens first and keeps what it is granted beyond its own token as the new lease.
 */
async function askBucket(env: Env, key: string, rule: RateLimitRule, want: number): Promise<TakeResult> {
  const now = Date.now();
  let refund = 0;
  if (want > 1) {
    refund = leases.get(key)?.tokens ?? 0;
    leases.delete(key);
  }
  const grant = await env.RATE_LIMITER.getByName(key).lease(
    rule.capacity,
    rule.refillPerMinute,
    want,
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
