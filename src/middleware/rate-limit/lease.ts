import type { RateLimitRule } from "../../config";
import type { TakeResult } from "../../durable/rate-limiter";

/**
 * Tokens this isolate took from a per-request bucket ahead of use, so that most requests are
 * admitted without a round trip to the bucket object (a Durable Object call per request was the
 * largest single cost of a signed-in GET; bench:api). The object grants at most LEASE_SIZE tokens
 * and never more than half of what it holds, so near empty every request asks it, one token at a
 * time, exactly as without leases. Tokens a lease still holds after LEASE_MS go back to the bucket
 * with the next request that asks it.
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

/** Takes one token of `<key>` (a bucket with `rule`), from this isolate's lease when it has one. */
export async function takeLeased(env: Env, key: string, rule: RateLimitRule): Promise<TakeResult> {
  const now = Date.now();
  const lease = leases.get(key);
  if (lease && lease.tokens > 0 && now - lease.takenMs < LEASE_MS) {
    lease.tokens--;
    return {
      allowed: true,
      limit: rule.capacity,
      remaining: lease.bucketRemaining + lease.tokens,
      resetSeconds: lease.resetSeconds,
      retryAfterSeconds: 0,
    };
  }
  // Whatever an expired lease still holds goes back; taken out first so no concurrent request
  // hands it back twice.
  const refund = lease?.tokens ?? 0;
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
    // A concurrent request of this isolate may have leased meanwhile: keep both grants' tokens.
    const held = leases.get(key)?.tokens ?? 0;
    leases.set(key, {
      tokens: held + granted - 1,
      takenMs: now,
      bucketRemaining: result.remaining,
      resetSeconds: result.resetSeconds,
    });
  }
  return { ...result, remaining: result.remaining + Math.max(0, granted - 1) };
}
