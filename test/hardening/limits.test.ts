import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, expectProblem, newUser, ORIGIN } from "../helpers/api";
import { uploadOk } from "../media/helpers";

// Sizes from vitest.config.ts: login-account=8/1, login-account-client=3/1, anon-ip=40/1, share-ip=20/1,
// register-ip=3/1 — refills of one token a minute, so nothing refills during a test.

const login = (email: string, password: string, ip: string) =>
  call("/api/v1/auth/login", { method: "POST", json: { email, password }, ip });

describe("login lockout is keyed by (account, client) plus a larger per-account bucket (#17)", () => {
  it("one client hammering an account locks out only itself; the owner still signs in from elsewhere", async () => {
    const user = await newUser();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await login(user.email, "wrong-password", "10.17.0.1")).status);
    // Three guesses (the (account, client) bucket), then 429 without touching the account's bucket.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const limited = await login(user.email, "wrong-password", "10.17.0.1");
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const owner = await login(user.email, user.password, "10.17.0.2");
    expect(owner.status, await owner.clone().text()).toBe(200);
  });

  it("guessing spread over many clients still runs into the per-account bucket", async () => {
    const user = await newUser(); // its own sign-in spent one token of the account's 8
    const statuses: number[] = [];
    for (let ip = 1; ip <= 10; ip++)
      statuses.push((await login(user.email, "wrong", `10.17.1.${ip}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429, 429, 429]);
    // The right password from yet another client is refused too while the account's bucket is empty.
    await expectProblem(await login(user.email, user.password, "10.17.1.99"), 429, "rate_limited");
  });
});

describe("anonymous traffic is limited per client (#18)", () => {
  it("health checks: 429 with Retry-After once a client's anonymous bucket is empty; others unaffected", async () => {
    const ip = "10.18.0.1";
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await call("/api/v1/health", { ip })).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await call("/api/v1/health", { ip });
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("ratelimit-limit")).toBe("40");
    expect((await call("/api/v1/health", { ip: "10.18.0.2" })).status).toBe(200);
  });

  it("made-up API keys and tokens: 401, then 429 from the same client", async () => {
    const ip = "10.18.1.1";
    const statuses: number[] = [];
    for (let i = 0; i < 42; i++) {
      const token = i % 2 ? `ek_key_${"a".repeat(20)}_${"b".repeat(43)}` : "not.a.jwt";
      statuses.push((await call("/api/v1/me", { token, ip })).status);
    }
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(40)).toEqual([429, 429]);
    // A signed-in caller from the same address spends their own bucket, not the address's.
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken, ip })).status).toBe(200);
  });

  it("share downloads are limited per client, whoever is signed in", async () => {
    const user = await newUser();
    const media = await uploadOk(user, "shared bytes", "shared.txt");
    const created = await call(`/api/v1/media/${media.id}/shares`, {
      method: "POST",
      token: user.accessToken,
      json: {},
    });
    const path = new URL((await created.json<{ share: { url: string } }>()).share.url).pathname;
    const ip = "10.18.2.1";
    for (let i = 0; i < 20; i++) expect((await call(path, { ip })).status).toBe(200);
    await expectProblem(await call(path, { ip }), 429, "rate_limited");
    await expectProblem(await call(path, { ip, token: user.accessToken }), 429, "rate_limited");
    expect((await call(path, { ip: "10.18.2.2" })).status).toBe(200);
    // Only the answered downloads were counted.
    const row = await env.DB.prepare("SELECT downloads FROM shares WHERE media_id = ?")
      .bind(media.id)
      .first<{ downloads: number }>();
    expect(row?.downloads).toBe(21);
  });
});

describe("CF-Connecting-IP is trusted only behind Cloudflare (#21)", () => {
  /** The app as a deployment that is not behind Cloudflare sees it (TRUST_CF_CONNECTING_IP=false). */
  async function direct(path: string, init: RequestInit & { forgedIp: string }) {
    const ctx = createExecutionContext();
    const headers = new Headers(init.headers);
    headers.set("cf-connecting-ip", init.forgedIp);
    const res = await createApp().fetch(
      new Request(`${ORIGIN}${path}`, { ...init, headers }),
      { ...env, TRUST_CF_CONNECTING_IP: "false" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("forged addresses don't buy fresh buckets: every caller is the one local peer", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await direct("/api/v1/auth/register", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `forged${i}@example.com`, password: "Quite-Good-Pass-77" }),
        forgedIp: `203.0.113.${i + 1}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The session a direct sign-in starts records the local peer, not the forged header.
    const signIn = await direct("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "forged0@example.com", password: "Quite-Good-Pass-77" }),
      forgedIp: "198.51.100.7",
    });
    expect(signIn.status).toBe(200);
    const session = await env.DB.prepare(
      "SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'forged0@example.com'",
    ).first<{ ip: string }>();
    expect(session?.ip).toBe("local");
  });

  it("behind Cloudflare (the test configuration) each address has its own bucket", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call("/api/v1/auth/register", {
        method: "POST",
        json: { email: `edge${i}@example.com`, password: "Quite-Good-Pass-77" },
        ip: `10.21.0.${i + 1}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202]);
  });
});
