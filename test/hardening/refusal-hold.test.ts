// A refusal an isolate repeats from its memory of an empty bucket is held for REFUSAL_HOLD_MS on the
// request's own timer (ADR 0013, "Fairness"): a client ignoring Retry-After can no longer send hundreds
// of refusals a second, which slowed other users (bench:fairness). The suite runs with 0 (vitest.config.ts);
// these tests serve the app with a hold of their own.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { callerLoad } from "../../src/middleware/rate-limit/in-flight";
import { expectProblem, newUser, ORIGIN } from "../helpers/api";

// Far above what an unheld refusal takes even on a loaded machine, so the timing checks have room.
const HOLD_MS = 1500;
const app = createApp();
const held = { ...env, REFUSAL_HOLD_MS: String(HOLD_MS) };

async function login(serving: Env, email: string, ip: string) {
  const ctx = createExecutionContext();
  const started = Date.now();
  const res = await app.fetch(
    new Request(`${ORIGIN}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip },
      body: JSON.stringify({ email, password: "wrong-password" }),
    }),
    serving,
    ctx,
  );
  // Until the answer, not its after-work (the metrics flush waits on the context).
  const ms = Date.now() - started;
  await waitOnExecutionContext(ctx);
  return { res, ms };
}

describe("repeated rate-limit refusals are held (#19 point 4)", () => {
  it("the bucket's own refusal answers at once; the isolate's repeats wait REFUSAL_HOLD_MS, still 429 with Retry-After", async () => {
    const user = await newUser();
    const ip = "10.19.4.1";
    // login-account-client=3/1 in the tests: three guesses, then the bucket refuses.
    for (let i = 0; i < 3; i++) expect((await login(held, user.email, ip)).res.status).toBe(401);
    const first = await login(held, user.email, ip);
    await expectProblem(first.res, 429, "rate_limited");
    expect(first.ms, "the bucket's refusal").toBeLessThan(HOLD_MS);

    const repeated = await login(held, user.email, ip);
    expect(repeated.ms).toBeGreaterThanOrEqual(HOLD_MS);
    await expectProblem(repeated.res, 429, "rate_limited");
    expect(Number(repeated.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(repeated.res.headers.get("ratelimit-remaining")).toBe("0");

    // REFUSAL_HOLD_MS=0 answers the same repeat at once.
    const unheld = await login(env, user.email, ip);
    await expectProblem(unheld.res, 429, "rate_limited");
    expect(unheld.ms, "a repeat with REFUSAL_HOLD_MS=0").toBeLessThan(HOLD_MS);
  });

  it("a held refusal has given its caller's turn back: the caller's other requests run meanwhile", async () => {
    const user = await newUser();
    const ip = "10.19.4.2";
    for (let i = 0; i < 4; i++) await login(held, user.email, ip);
    const repeated = login(held, user.email, ip);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS / 2));
    expect(callerLoad(`ip:${ip}`)).toEqual({ running: 0, waiting: 0 });
    const { res, ms } = await repeated;
    await expectProblem(res, 429, "rate_limited");
    expect(ms).toBeGreaterThanOrEqual(HOLD_MS);
  });

  it("a repeat is never held past the token's return: with a hold far longer than the refill, it answers when the bucket would", async () => {
    const user = await newUser();
    const ip = "10.19.4.3";
    // One guess per (account, client), refilled at 2 a second: the bucket says "try again in 1 s".
    const quick = { ...env, REFUSAL_HOLD_MS: "8000", RATE_LIMITS: "login-account-client=1/120" };
    expect((await login(quick, user.email, ip)).res.status).toBe(401);
    const first = await login(quick, user.email, ip);
    await expectProblem(first.res, 429, "rate_limited");
    expect(first.res.headers.get("retry-after")).toBe("1");
    const repeated = await login(quick, user.email, ip);
    await expectProblem(repeated.res, 429, "rate_limited");
    // Held, but only until the remembered Retry-After ran out (≤ 1 s), far below the 8 s hold.
    expect(repeated.ms).toBeGreaterThan(100);
    expect(repeated.ms).toBeLessThan(4000);
  });
});
