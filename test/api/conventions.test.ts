import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { requestFingerprint } from "../../src/middleware/idempotency";
import { call, expectProblem, newUser, ORIGIN } from "../helpers/api";

describe("CSRF", () => {
  it("refuses cookie-authenticated unsafe requests that don't prove same origin", async () => {
    const user = await newUser();
    const cases: Record<string, Record<string, string>> = {
      evilOrigin: { origin: "https://evil.example" },
      crossSiteFetch: { "sec-fetch-site": "cross-site" },
      sameSiteNotSameOrigin: { "sec-fetch-site": "same-site", origin: "https://sub.localhost:8787" },
      noProofAtAll: { "sec-fetch-site": "" },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const h = new Headers(headers);
      if (h.get("sec-fetch-site") === "") h.delete("sec-fetch-site");
      const res = await exports.default.fetch(
        new Request(`${ORIGIN}/api/v1/auth/logout`, {
          method: "POST",
          headers: new Headers([...h, ["cookie", user.cookie]]),
        }),
      );
      expect(res.status, name).toBe(403);
      await expectProblem(res, 403, "csrf_rejected");
    }
    // The session survived all of them.
    expect((await call("/api/v1/me", { cookie: user.cookie })).status).toBe(200);
  });

  it("accepts same-origin cookie requests and exempts bearer requests", async () => {
    const user = await newUser();
    const sameOrigin = await call("/api/v1/api-keys", {
      method: "POST",
      cookie: user.cookie,
      headers: { "sec-fetch-site": "same-origin" },
      json: { name: "k", scopes: ["media:read"] },
    });
    expect(sameOrigin.status).toBe(201);
    const bearer = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      headers: { origin: "https://evil.example" },
      json: { name: "k2", scopes: ["media:read"] },
    });
    expect(bearer.status).toBe(201);
  });

  it("refuses non-JSON bodies on JSON endpoints (no simple cross-site form posts)", async () => {
    const user = await newUser();
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await call("/api/v1/auth/login", {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      await expectProblem(res, 415, "unsupported_media_type");
    }
  });
});

describe("bad input", () => {
  it("malformed JSON → 400 malformed_json", async () => {
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email": "a@b.c", "password": ',
    });
    await expectProblem(res, 400, "malformed_json");
  });

  it("unknown and invalid fields → 422 listing each field", async () => {
    const res = await call("/api/v1/auth/register", {
      method: "POST",
      json: { email: "not-an-email", password: 5, isAdmin: true },
    });
    const body = await expectProblem(res, 422, "validation_failed");
    const paths = (body.errors ?? []).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(["email", "password"]));
    expect(JSON.stringify(body.errors)).toContain("isAdmin");
  });

  it("oversized bodies → 413 before parsing", async () => {
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      json: { email: "a@example.com", password: "x".repeat(1_100_000) },
    });
    await expectProblem(res, 413, "payload_too_large");
  });

  it("a JSON array or null where an object is expected → 422", async () => {
    for (const body of ["[]", "null", '"text"']) {
      const res = await call("/api/v1/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await expectProblem(res, 422, "validation_failed");
    }
  });

  it("unknown API routes → 404 problem; bad cursor → 400", async () => {
    await expectProblem(await call("/api/v1/nope"), 404, "route_not_found");
    // A path that exists answers other methods with 405 and Allow.
    const wrongMethod = await call("/api/v1/auth/login");
    await expectProblem(wrongMethod, 405, "method_not_allowed");
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    const admin = await newUser({ role: "admin" });
    await expectProblem(
      await call("/api/v1/admin/users?cursor=%%%", { token: admin.accessToken }),
      400,
      "invalid_cursor",
    );
    await expectProblem(
      await call("/api/v1/admin/users?limit=1000", { token: admin.accessToken }),
      422,
      "validation_failed",
    );
  });
});

describe("headers", () => {
  it("every answer carries X-Request-Id (a sane incoming one is kept) and security headers", async () => {
    const kept = await call("/api/v1/health", { headers: { "x-request-id": "trace-1234-abcd" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-1234-abcd");
    const replaced = await call("/api/v1/nope", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_[0-9a-z]{20}$/);
    const body = await expectProblem(replaced, 404);
    expect(body.requestId).toBe(replaced.headers.get("x-request-id"));
    for (const res of [kept, replaced]) {
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security")).toContain("max-age=");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
  });

  it("CORS answers only configured origins", async () => {
    const allowed = await call("/api/v1/health", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const refused = await call("/api/v1/health", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("every answer — JSON, a problem, a handler's own Response — carries its request id, rate-limit headers, Vary: Origin, and CORS for an allowed origin", async () => {
    const admin = await newUser({ role: "admin" });
    const origin = { origin: "http://localhost:5173" };
    const answers = {
      json: await call("/api/v1/me", { token: admin.accessToken, headers: origin }),
      problem: await call("/api/v1/media/med_00000000000000000000", {
        token: admin.accessToken,
        headers: origin,
      }),
      ownResponse: await call("/api/v1/admin/audit?format=csv", {
        token: admin.accessToken,
        headers: origin,
      }),
    };
    expect(answers.json.status).toBe(200);
    expect(answers.problem.status).toBe(404);
    expect(answers.ownResponse.headers.get("content-type")).toContain("text/csv");
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers.get("x-request-id"), name).toMatch(/^req_/);
      expect(Number(res.headers.get("ratelimit-remaining")), name).toBeGreaterThan(0);
      expect(res.headers.get("ratelimit-policy"), name).toMatch(/^\d+;w=\d+$/);
      expect(res.headers.get("vary"), name).toContain("Origin");
      expect(res.headers.get("access-control-allow-origin"), name).toBe("http://localhost:5173");
      expect(res.headers.get("access-control-allow-credentials"), name).toBe("true");
      expect(res.headers.get("access-control-expose-headers"), name).toContain("RateLimit-Remaining");
      expect(res.headers.get("x-content-type-options"), name).toBe("nosniff");
    }
    // No CORS grant without an allowed origin, but still Vary: Origin (a shared cache keys on it).
    const plain = await call("/api/v1/health");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    expect(plain.headers.get("vary")).toContain("Origin");
    // A preflight is answered with what a browser needs, once per 10 minutes.
    const preflight = await call("/api/v1/media", {
      method: "OPTIONS",
      headers: {
        ...origin,
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "tus-resumable",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("tus-resumable");
    expect(preflight.headers.get("access-control-max-age")).toBe("600");
  });
});

describe("idempotency", () => {
  it("replays the first answer, refuses a different body (422) and an in-flight duplicate (409)", async () => {
    const user = await newUser();
    const register = (key: string, email: string) =>
      call("/api/v1/auth/register", {
        method: "POST",
        headers: { "idempotency-key": key },
        json: { email, password: "Quite-Good-Pass-77" },
        ip: "10.200.0.1",
      });

    const first = await register("reg-1", "idem@example.com");
    expect(first.status).toBe(202);
    const firstBody = await first.text();
    const replay = await register("reg-1", "idem@example.com");
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.text()).toBe(firstBody);
    await expectProblem(await register("reg-1", "other@example.com"), 422, "idempotency_key_reused");
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM users WHERE email LIKE 'idem%' OR email LIKE 'other%'",
    ).first<{ n: number }>();
    expect(count?.n).toBe(1);

    // The same request is still running under this key (its row is in flight, lock not expired).
    const hash = await requestFingerprint("DELETE", "/api/v1/sessions", "");
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, created_at, expires_at) VALUES (?, 'busy', ?, 'in_flight', '2999-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z')",
    )
      .bind(user.id, hash)
      .run();
    const busy = await call("/api/v1/sessions", {
      method: "DELETE",
      token: user.accessToken,
      headers: { "idempotency-key": "busy" },
    });
    await expectProblem(busy, 409, "idempotency_in_flight");
    expect(busy.headers.get("retry-after")).toBe("1");
    // Nothing ran: the user's session is still alive.
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
  });

  it("scopes keys per caller and does not store 5xx or credential-bearing answers", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const make = (token: string) =>
      call("/api/v1/sessions", { method: "DELETE", token, headers: { "idempotency-key": "shared-key" } });
    expect((await make(alice.accessToken)).status).toBe(200);
    const bobs = await make(bob.accessToken);
    expect(bobs.status).toBe(200);
    expect(bobs.headers.get("idempotent-replayed")).toBeNull();

    const loginTwice = () =>
      call("/api/v1/auth/login", {
        method: "POST",
        headers: { "idempotency-key": "login-1" },
        json: { email: alice.email, password: alice.password },
      });
    const a = (await (await loginTwice()).json()) as { accessToken: string };
    const b = (await (await loginTwice()).json()) as { accessToken: string };
    expect(a.accessToken).not.toBe(b.accessToken);
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n FROM idempotency_keys WHERE key = 'login-1'",
    ).first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});

describe("OpenAPI", () => {
  it("documents every /api/v1 route the app serves", async () => {
    const res = await call("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = createApp()
      .routes.filter(
        (r) => r.path.startsWith("/api/v1/") && r.method !== "ALL" && r.path !== "/api/v1/openapi.json",
      )
      .map((r) => `${r.method} ${r.path.replace("/api/v1", "").replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThan(10);
    for (const route of served) expect(documented, route).toContain(route);
  });

  it("serves a reference page at /api/docs", async () => {
    const res = await call("/api/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/api/v1/openapi.json");
    expect((await call("/api/docs/app.js")).headers.get("content-type")).toContain("javascript");
  });
});

describe("health and rate limits", () => {
  it("health checks D1, R2, KV and the queues without auth", async () => {
    const res = await call("/api/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", checks: { d1: "ok", r2: "ok", kv: "ok", queue: "ok" } });
  });

  it("registration per IP: 429 with Retry-After and RateLimit-* headers; other IPs unaffected", async () => {
    const ip = "10.99.99.99";
    const attempt = (i: number) =>
      call("/api/v1/auth/register", {
        method: "POST",
        ip,
        json: { email: `rl${i}@example.com`, password: "Quite-Good-Pass-77" },
      });
    for (let i = 0; i < 3; i++) {
      const res = await attempt(i);
      expect(res.status).toBe(202);
      expect(res.headers.get("ratelimit-remaining")).toBe(String(2 - i));
    }
    const limited = await attempt(3);
    await expectProblem(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(50);
    expect(limited.headers.get("ratelimit-limit")).toBe("3");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    const users = await env.DB.prepare(
      "SELECT count(*) AS n FROM users WHERE email = 'rl3@example.com'",
    ).first<{ n: number }>();
    expect(users?.n).toBe(0);
    const otherIp = await call("/api/v1/auth/register", {
      method: "POST",
      json: { email: "rl-other@example.com", password: "Quite-Good-Pass-77" },
    });
    expect(otherIp.status).toBe(202);
  });

  it("a bucket recovers as time passes (token bucket in the RateLimiter object)", async () => {
    const bucket = env.RATE_LIMITER.getByName("test:recovery");
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect((await bucket.take(3, 60, 1, t0)).allowed).toBe(true);
    const empty = await bucket.take(3, 60, 1, t0);
    expect(empty).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect((await bucket.take(3, 60, 1, t0 + 999)).allowed).toBe(false);
    expect((await bucket.take(3, 60, 1, t0 + 2000)).allowed).toBe(true);
    const later = await bucket.take(3, 60, 1, t0 + 3_600_000);
    expect(later).toMatchObject({ allowed: true, remaining: 2 });
  });
});
