import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LEASE_MAX, LEASE_MIN, LEASE_MS, leaseSize, takeLeased } from "../../src/middleware/rate-limit/lease";
import { call, expectProblem, newUser } from "../helpers/api";

// Sizes from vitest.config.ts: api-user=5000/600, anon-ip=40/1 (one token a minute: no refill mid-test).
const USER_LEASE = leaseSize({ capacity: 5000, refillPerMinute: 600 });
const IP_LEASE = leaseSize({ capacity: 40, refillPerMinute: 1 });

async function storedTokens(bucket: string): Promise<number> {
  return runInDurableObject(env.RATE_LIMITER.getByName(bucket), async (_object, state) => {
    const stored = await state.storage.get<{ tokens: number }>("bucket");
    return stored!.tokens;
  });
}

/** Spends `ip`'s anonymous bucket until it refuses: how many were admitted (each a 200) before the 429. */
async function spendUntilRefused(ip: string): Promise<number> {
  for (let admitted = 0; ; admitted++) {
    const res = await call("/api/v1/health", { ip });
    if (res.status === 429) {
      await expectProblem(res, 429, "rate_limited");
      return admitted;
    }
    expect(res.status).toBe(200);
  }
}

describe("per-request limits are spent from a lease of tokens held by the isolate (#19)", () => {
  it("a signed-in caller's requests ask the bucket object once per lease; RateLimit-Remaining still counts each one", async () => {
    const user = await newUser();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call("/api/v1/me", { token: user.accessToken });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["4999", "4998", "4997"]);
    // One lease of USER_LEASE taken from the full bucket; the two later requests never reached it.
    expect(await storedTokens(`api-user:${user.id}`)).toBe(5000 - USER_LEASE);
  });

  it("requests that find no usable lease while one asks the bucket for it take one token each from the bucket: none awaits another request's call, and the isolate still holds at most its lease size − 1", async () => {
    const ip = "10.19.0.2";
    expect((await call("/api/v1/health", { ip })).status).toBe(200);
    expect(await storedTokens(`anon-ip:${ip}`)).toBe(40 - IP_LEASE);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));
    // The lease is stale. Four requests arrive at once (no more than CALLER_MAX_IN_FLIGHT, so all
    // run together): the first hands the stale lease's IP_LEASE − 1 tokens back and leases anew; the other
    // three arrive while that call is out and each asks the bucket for exactly one token. (They
    // used to await the first one's call: a 500 under load in `wrangler dev`, as workerd ties a
    // call's I/O to the request that made it, or a request cancelled as hung.)
    const burst = await Promise.all(Array.from({ length: 4 }, () => call("/api/v1/health", { ip })));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Spent: the first request and the burst's 4; held unused: the one new lease's IP_LEASE − 1.
    // (plus the refill of one token a minute over the wait: a fraction)
    expect(Math.floor(await storedTokens(`anon-ip:${ip}`))).toBe(40 - 1 - 4 - (IP_LEASE - 1));
    // Whatever the isolate holds is spendable here and nothing beyond the bucket's 40 is admitted.
    expect(1 + 4 + (await spendUntilRefused(ip))).toBe(40);
  });

  it("one isolate admits exactly the bucket's size, and a lease's unused tokens go back once it is old", async () => {
    const ip = "10.19.0.1";
    const first = await call("/api/v1/health", { ip });
    expect(first.headers.get("ratelimit-remaining")).toBe("39");
    expect(await storedTokens(`anon-ip:${ip}`)).toBe(40 - IP_LEASE);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 100));
    // The lease is stale: its IP_LEASE − 1 tokens go back with the next request to the bucket, which grants anew.
    const second = await call("/api/v1/health", { ip });
    expect(second.headers.get("ratelimit-remaining")).toBe("38");
    // (plus the refill of one token a minute over the wait: a fraction)
    expect(Math.floor(await storedTokens(`anon-ip:${ip}`))).toBe(39 - IP_LEASE);
    expect(2 + (await spendUntilRefused(ip))).toBe(40);
  });

  it("a lease is a quarter of its bucket, between LEASE_MIN and LEASE_MAX tokens", () => {
    const size = (capacity: number) => leaseSize({ capacity, refillPerMinute: 60 });
    expect([size(4), size(30), size(40), size(120), size(5000), size(100_000_000)]).toEqual([
      LEASE_MIN,
      LEASE_MIN,
      10,
      30,
      LEASE_MAX,
      LEASE_MAX,
    ]);
  });

  it("a busy isolate tops its lease up before it runs dry, in one call; requests meanwhile spend what it holds", async () => {
    const ip = "10.19.0.3";
    const remaining: string[] = [];
    const spend = async () => {
      const res = await call("/api/v1/health", { ip });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("ratelimit-remaining")!);
    };
    await spend();
    expect(await storedTokens(`anon-ip:${ip}`)).toBe(40 - IP_LEASE);
    // Down to a quarter of the lease: no call yet.
    const low = Math.floor(IP_LEASE / 4);
    for (let i = 1; i < IP_LEASE - 1 - low; i++) await spend();
    expect(await storedTokens(`anon-ip:${ip}`)).toBe(40 - IP_LEASE);
    // Three at once: the one that leaves the lease at a quarter asks the bucket to fill it to
    // IP_LEASE − 1; the other two spend what the lease holds and ask nothing (a single-token ask
    // would show in the stored count).
    await Promise.all([spend(), spend(), spend()]);
    expect(Math.floor(await storedTokens(`anon-ip:${ip}`))).toBe(40 - IP_LEASE - (IP_LEASE - 1 - low));
    // RateLimit-Remaining counted every request, one at a time (one isolate: exact).
    expect(remaining.map(Number).sort((a, b) => b - a)).toEqual(
      Array.from({ length: remaining.length }, (_, i) => 39 - i),
    );
    expect(remaining.length + (await spendUntilRefused(ip))).toBe(40);
  });

  it("a top-up that finds the bucket spent elsewhere refuses nobody: the lease's tokens are spent, then the bucket refuses", async () => {
    const ip = "10.19.0.4";
    expect((await call("/api/v1/health", { ip })).status).toBe(200);
    // Another isolate spends everything the bucket has left.
    const bucket = env.RATE_LIMITER.getByName(`anon-ip:${ip}`);
    let elsewhere = 0;
    while ((await bucket.take(40, 1)).allowed) elsewhere++;
    expect(elsewhere).toBe(40 - IP_LEASE);
    const admitted = 1 + (await spendUntilRefused(ip));
    // This isolate spent exactly its lease, its top-up found nothing, and the two add up to the bucket.
    expect(admitted).toBe(IP_LEASE);
    expect(admitted + elsewhere).toBe(40);
  });

  it("a top-up whose call fails costs its request nothing: it was admitted already, and the next request tops up again", async () => {
    const key = "test:top-up-fails";
    const rule = { capacity: 40, refillPerMinute: 1 };
    const size = leaseSize(rule);
    // The real bucket object, except that its second lease call (the top-up) fails as an unreachable
    // object would.
    let leaseCalls = 0;
    const buckets = new Proxy(env.RATE_LIMITER, {
      get(namespace, name) {
        if (name !== "getByName") return Reflect.get(namespace, name);
        return (objectName: string) => {
          const stub = namespace.getByName(objectName);
          return new Proxy(stub, {
            get(target, member) {
              if (member !== "lease") return Reflect.get(target, member);
              return (capacity: number, refill: number, want: number, refund: number, nowMs: number) =>
                ++leaseCalls === 2
                  ? Promise.reject(new Error("injected: the bucket object is unreachable"))
                  : target.lease(capacity, refill, want, refund, nowMs);
            },
          });
        };
      },
    });
    const faulty = { ...env, RATE_LIMITER: buckets };
    const results = [];
    // The lease, spent down to a quarter (that request's top-up fails), then on: the next request's top-up
    // succeeds and the lease lasts past the loop.
    for (let i = 0; i < size + 1; i++) results.push(await takeLeased(faulty, key, rule));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(leaseCalls).toBe(3);
    // The lease and the second top-up (filling the lease back to size − 1 from one token); nothing by the failed one.
    expect(Math.floor(await storedTokens(key))).toBe(40 - size - (size - 2));
  });

  it("the bucket grants at most what is asked and half of what it holds, one token at a time near empty, refunds included", async () => {
    const bucket = env.RATE_LIMITER.getByName("test:lease");
    const t0 = 1_000_000;
    const grants: number[] = [];
    for (;;) {
      const grant = await bucket.lease(20, 60, LEASE_MIN, 0, t0);
      if (!grant.allowed) {
        expect(grant).toMatchObject({ granted: 0, remaining: 0, retryAfterSeconds: 1 });
        break;
      }
      grants.push(grant.granted);
    }
    expect(grants).toEqual([8, 6, 3, 1, 1, 1]);
    expect(grants.reduce((a, b) => a + b)).toBe(20);
    // Unused tokens handed back are spendable again, but never beyond the bucket's size.
    expect(await bucket.lease(20, 60, LEASE_MIN, 3, t0)).toMatchObject({ granted: 1, remaining: 2 });
    expect(await bucket.lease(20, 60, LEASE_MIN, 1000, t0)).toMatchObject({ granted: 8, remaining: 12 });
  });

  it("across isolates nobody is admitted beyond the bucket: a second isolate is refused while the first holds at most its lease size − 1", async () => {
    const bucket = env.RATE_LIMITER.getByName("test:two-isolates");
    const t0 = 2_000_000;
    // Isolate A leases and spends one; isolate B then takes what the bucket has left.
    const a = await bucket.lease(30, 60, leaseSize({ capacity: 30, refillPerMinute: 60 }), 0, t0);
    const heldByA = a.granted - 1;
    let grantedToB = 0;
    for (;;) {
      const b = await bucket.lease(30, 60, leaseSize({ capacity: 30, refillPerMinute: 60 }), 0, t0);
      if (!b.allowed) break;
      grantedToB += b.granted;
    }
    expect(a.granted + grantedToB).toBe(30);
    expect(heldByA).toBeLessThanOrEqual(LEASE_MIN - 1);
  });
});
