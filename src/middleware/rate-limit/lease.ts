import type { RateLimitRule } from "../../config";
import type { TakeResult } from "../../durable/rate-limiter";

/**
 * Tokens this isolate took from a per-request bucket ahead of use, so that most requests are
 * admitted without a round trip to the bucket object (a Durable Object call per request was the
 * largest single cost of a signed-in GET; bench:api). The object grants at most `leaseSize(rule)`
 * tokens and never more than half of what it holds, so near empty every request asks it, one token
 * at a time, exactly as without leases. Tokens a lease still holds after LEASE_MS go back to the
 * bucket with the next request that asks it.
 *
 * A busy isolate tops its lease up before it runs dry: the request that leaves it at a quarter or
 * less asks the bucket for the rest while the other requests spend what is left (at 10 concurrent
 * requests, waiting for an empty lease to be renewed made 0.32 bucket calls a request instead of
 * one a lease; bench:api). An isolate has at most one call to the bucket in flight per key; a
 * request that finds the lease empty meanwhile asks the bucket for exactly one token of its own. It
 * never awaits the other request's call: workerd ties a call's I/O to the request that made it, and
 * a request awaiting another's answered 500 under load ("Cannot perform I/O on behalf of a different
 * request") or was cancelled as hung when that request ended first.
 *
 * Tolerance (stated in docs/adr/0013-request-hot-path.md, tested in test/hardening/rate-lease.test.ts):
 * one isolate alone admits exactly what the bucket allows. Across isolates a caller may get up to
 * `leaseSize(rule)` − 1 requests per isolate more than the bucket alone would allow (tokens leased
 * before a refill the full bucket would have dropped), and may be refused while up to that many
 * tokens per other isolate sit leased, for at most LEASE_MS after that isolate's last call.
 */
export const LEASE_MIN = 8;
export const LEASE_MAX = 32;
export const LEASE_MS = 1000;
const MAX_LEASES = 10_000;

/**
 * How many tokens an isolate may hold of a bucket: a quarter of it, between LEASE_MIN and LEASE_MAX.
 * A bucket far larger than its caller's pace (a generous plan, the benchmarks' raised limits) then
 * costs a bucket call per 32 requests, and the tolerance stays a fixed share of the limit; buckets of
 * up to 32 tokens lease 8, as before.
 */
export function leaseSize(rule: RateLimitRule): number {
  return Math.max(LEASE_MIN, Math.min(LEASE_MAX, Math.floor(rule.capacity / 4)));
}

interface Lease {
  tokens: number;
  takenMs: number;
  /** What the bucket held after its last grant to this lease, and when it said it would be full. */
  bucketRemaining: number;
  resetSeconds: number;
}

const leases = new Map<string, Lease>();
/**
 * Keys whose lease this isolate is asking the bucket for, with when the ask began. A request the
 * runtime cancels mid-call never runs its `finally`, so an ask older than LEASE_MS counts as gone.
 */
const leasing = new Map<string, number>();

function asking(key: string): boolean {
  const askedAt = leasing.get(key);
  return askedAt !== undefined && Date.now() - askedAt < LEASE_MS;
}

/** Takes one token of `<key>` (a bucket with `rule`), from this isolate's lease when it has one. */
export async function takeLeased(env: Env, key: string, rule: RateLimitRule): Promise<TakeResult> {
  const size = leaseSize(rule);
  const lease = leases.get(key);
  if (lease && lease.tokens > 0 && Date.now() - lease.takenMs < LEASE_MS) {
    lease.tokens--;
    const result: TakeResult = {
      allowed: true,
      limit: rule.capacity,
      remaining: lease.bucketRemaining + lease.tokens,
      resetSeconds: lease.resetSeconds,
      retryAfterSeconds: 0,
    };
    if (lease.tokens <= size / 4 && lease.bucketRemaining > 0 && !asking(key))
      await topUp(env, key, rule, size - 1 - lease.tokens);
    return result;
  }
  // Another request of this isolate is calling the bucket: one token for this one alone, so the
  // isolate still holds at most one lease (the tolerance) and waits on nobody's call.
  if (asking(key)) return askBucket(env, key, rule, 1);
  leasing.set(key, Date.now());
  try {
    return await askBucket(env, key, rule, size);
  } finally {
    leasing.delete(key);
  }
}

/**
 * Adds up to `want` tokens to the key's lease. The request asking already holds its own token, so a
 * failed call costs it nothing: the lease runs out and the next request asks the bucket as usual.
 */
async function topUp(env: Env, key: string, rule: RateLimitRule, want: number): Promise<void> {
  const now = Date.now();
  leasing.set(key, now);
  try {
    const grant = await env.RATE_LIMITER.getByName(key).lease(
      rule.capacity,
      rule.refillPerMinute,
      want,
      0,
      now,
    );
    const lease = leases.get(key);
    if (grant.granted === 0) {
      if (lease) lease.bucketRemaining = 0;
      return;
    }
    keep(key, (lease?.tokens ?? 0) + grant.granted, now, grant);
  } catch (error) {
    console.warn(
      JSON.stringify({ level: "warn", event: "rate_lease_top_up_failed", key, error: String(error) }),
    );
  } finally {
    leasing.delete(key);
  }
}

function keep(key: string, tokens: number, now: number, bucket: TakeResult): void {
  if (!leases.has(key) && leases.size >= MAX_LEASES) leases.clear();
  leases.set(key, {
    tokens,
    takenMs: now,
    bucketRemaining: bucket.remaining,
    resetSeconds: bucket.resetSeconds,
  });
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
  if (granted > 1) keep(key, granted - 1, now, result);
  return { ...result, remaining: result.remaining + Math.max(0, granted - 1) };
}
