import { env } from "cloudflare:workers";
import { decodeJwt, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { issueAccessToken, VERIFIED_MAX, verifiedTokens, verifyAccessToken } from "../../src/auth/tokens";
import { getConfig } from "../../src/config";
import { base64url } from "../../src/lib/crypto";
import { call, expectProblem, newUser } from "../helpers/api";

const config = () => getConfig(env);
const secretKey = () => new TextEncoder().encode(env.AUTH_SECRET);

async function forge(claims: Record<string, unknown>, header: Record<string, unknown>, key: Uint8Array) {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", ...header }).sign(key);
}

describe("access token forgery", () => {
  it("accepts a genuine token", async () => {
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
  });

  it("refuses alg:none, wrong key, expired, wrong audience, wrong issuer, wrong type and garbage", async () => {
    const user = await newUser();
    const [, payload] = user.accessToken.split(".");
    const { sid } = decodeJwt(user.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const good = {
      sub: user.id,
      sid,
      iss: config().jwtIssuer,
      aud: config().jwtAudience,
      iat: now,
      exp: now + 600,
    };
    const header = { typ: "at+jwt" };

    const unsignedHeader = base64url(
      new TextEncoder().encode(JSON.stringify({ alg: "none", typ: "at+jwt" })),
    );
    const forgeries = {
      algNone: `${unsignedHeader}.${payload}.`,
      wrongKey: await forge(
        good,
        header,
        new TextEncoder().encode("another-secret-that-is-long-enough-000000"),
      ),
      expired: await forge({ ...good, iat: now - 7200, exp: now - 3600 }, header, secretKey()),
      wrongAudience: await forge({ ...good, aud: "someone-else" }, header, secretKey()),
      wrongIssuer: await forge({ ...good, iss: "evil" }, header, secretKey()),
      wrongType: await forge(good, { typ: "JWT" }, secretKey()),
      missingSession: await forge({ ...good, sid: undefined }, header, secretKey()),
      otherUsersSub: await forge({ ...good, sub: "usr_doesnotexist000000" }, header, secretKey()),
      tampered: `${user.accessToken.slice(0, -3)}abc`,
      garbage: "not.a.jwt",
    };
    for (const [name, token] of Object.entries(forgeries)) {
      const res = await call("/api/v1/me", { token });
      expect(res.status, name).toBe(401);
      await expectProblem(res, 401, "unauthorized");
    }
  });

  it("refuses a malformed Authorization header", async () => {
    await expectProblem(
      await call("/api/v1/me", { headers: { authorization: "Basic abc" } }),
      401,
      "unauthorized",
    );
  });

  it("stops honouring a genuine token once its session has ended", async () => {
    const user = await newUser();
    const logout = await call("/api/v1/auth/logout", { method: "POST", token: user.accessToken });
    expect(logout.status).toBe(204);
    await expectProblem(await call("/api/v1/me", { token: user.accessToken }), 401, "unauthorized");
  });

  it("signs tokens that expire after the configured lifetime", async () => {
    const user = await newUser();
    const past = new Date(Date.now() - (config().accessTokenTtl + 5) * 1000);
    const sessionId = String(decodeJwt(user.accessToken).sid);
    const stale = await issueAccessToken({ userId: user.id, sessionId }, config(), env.AUTH_SECRET, past);
    const fresh = await issueAccessToken(
      { userId: user.id, sessionId },
      config(),
      env.AUTH_SECRET,
      new Date(),
    );
    expect((await call("/api/v1/me", { token: fresh })).status).toBe(200);
    await expectProblem(await call("/api/v1/me", { token: stale }), 401);
  });
});

describe("tokens this isolate has verified are remembered by their exact text (#19)", () => {
  it("a remembered token is accepted until its expiry and refused from then on", async () => {
    const user = await newUser();
    const sessionId = String(decodeJwt(user.accessToken).sid);
    const issued = new Date(Date.now() - 1000);
    const token = await issueAccessToken({ userId: user.id, sessionId }, config(), env.AUTH_SECRET, issued);
    const claims = { userId: user.id, sessionId };
    expect(await verifyAccessToken(token, config(), env.AUTH_SECRET, new Date())).toEqual(claims);
    const expiresMs = (decodeJwt(token).exp as number) * 1000;
    expect(await verifyAccessToken(token, config(), env.AUTH_SECRET, new Date(expiresMs - 1))).toEqual(
      claims,
    );
    expect(await verifyAccessToken(token, config(), env.AUTH_SECRET, new Date(expiresMs))).toBeNull();
    expect(
      await verifyAccessToken(token, config(), env.AUTH_SECRET, new Date(expiresMs + 60_000)),
    ).toBeNull();
  });

  it("a remembered token is refused under another secret, and one character changed is verified afresh", async () => {
    const user = await newUser();
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    const rotated = "another-secret-that-is-long-enough-000000";
    expect(await verifyAccessToken(user.accessToken, config(), rotated, new Date())).toBeNull();
    // The signature's first character: all six of its bits are signature bits. (The last character of a
    // 43-character HMAC-SHA256 signature carries two padding bits, so "A" → "B" there decodes to the
    // same signature, and jose rightly accepts it: an earlier form of this test failed that way.)
    const at = user.accessToken.lastIndexOf(".") + 1;
    const changed = user.accessToken[at] === "A" ? "B" : "A";
    const tampered = `${user.accessToken.slice(0, at)}${changed}${user.accessToken.slice(at + 1)}`;
    await expectProblem(await call("/api/v1/me", { token: tampered }), 401, "unauthorized");
    // The genuine token is still accepted (the refusals above forgot nothing they shouldn't).
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
  });

  it("remembers at most VERIFIED_MAX tokens, the oldest going first; a forgotten one is verified again", async () => {
    const user = await newUser();
    const sessionId = String(decodeJwt(user.accessToken).sid);
    const now = new Date();
    const issue = () => issueAccessToken({ userId: user.id, sessionId }, config(), env.AUTH_SECRET, now);
    const first = await issue();
    expect(await verifyAccessToken(first, config(), env.AUTH_SECRET, now)).not.toBeNull();
    // VERIFIED_MAX others (each has its own jti, so its own text) fill the memory and push `first` out.
    for (let i = 0; i < VERIFIED_MAX; i++)
      await verifyAccessToken(await issue(), config(), env.AUTH_SECRET, now);
    expect(verifiedTokens()).toBe(VERIFIED_MAX);
    // Checked by jose again: still genuine, so accepted; refused once expired.
    expect(await verifyAccessToken(first, config(), env.AUTH_SECRET, now)).toEqual({
      userId: user.id,
      sessionId,
    });
    expect(verifiedTokens()).toBe(VERIFIED_MAX);
    const late = new Date(now.getTime() + (config().accessTokenTtl + 1) * 1000);
    expect(await verifyAccessToken(first, config(), env.AUTH_SECRET, late)).toBeNull();
  });
});

describe("refresh tokens", () => {
  it("rotate, and a reused one revokes the whole family", async () => {
    const user = await newUser();
    const first = await call("/api/v1/auth/refresh", {
      method: "POST",
      json: { refreshToken: user.refreshToken },
    });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { accessToken: string; refreshToken: string };
    expect(rotated.refreshToken).not.toBe(user.refreshToken);
    expect((await call("/api/v1/me", { token: rotated.accessToken })).status).toBe(200);

    // An attacker replays the old token: the family dies, including the legitimate new tokens.
    await expectProblem(
      await call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: user.refreshToken } }),
      401,
      "refresh_token_reused",
    );
    await expectProblem(
      await call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: rotated.refreshToken } }),
      401,
      "invalid_refresh_token",
    );
    await expectProblem(await call("/api/v1/me", { token: rotated.accessToken }), 401);
    await expectProblem(await call("/api/v1/me", { cookie: user.cookie }), 401);
  });

  it("refuses an unknown refresh token", async () => {
    await expectProblem(
      await call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: "rt_made-up" } }),
      401,
      "invalid_refresh_token",
    );
  });

  it("lets only one of two racing refreshes win", async () => {
    const user = await newUser();
    const results = await Promise.all(
      [1, 2].map(() =>
        call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: user.refreshToken } }),
      ),
    );
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(results.some((r) => r.status === 401)).toBe(true);
  });
});

describe("API keys", () => {
  it("are shown once, work with their scopes only, can't manage credentials, and die when revoked", async () => {
    const user = await newUser();
    const created = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "ci", scopes: ["account:read"] },
    });
    expect(created.status).toBe(201);
    const { apiKey, secret } = (await created.json()) as {
      apiKey: { id: string; hint: string };
      secret: string;
    };
    expect(secret.startsWith(`ek_${apiKey.id}_`)).toBe(true);
    expect(secret.endsWith(apiKey.hint)).toBe(true);

    const listed = (await (await call("/api/v1/api-keys", { token: user.accessToken })).json()) as {
      items: unknown[];
    };
    expect(JSON.stringify(listed)).not.toContain(secret.slice(-43));

    expect((await call("/api/v1/me", { token: secret })).status).toBe(200);
    await expectProblem(await call("/api/v1/api-keys", { token: secret }), 403, "forbidden");
    await expectProblem(await call("/api/v1/sessions", { token: secret }), 403, "forbidden");
    await expectProblem(await call("/api/v1/admin/users", { token: secret }), 403, "forbidden");

    const row = await env.DB.prepare("SELECT secret_hash FROM api_keys WHERE id = ?")
      .bind(apiKey.id)
      .first<{ secret_hash: string }>();
    expect(row?.secret_hash).not.toContain(secret.slice(-43));

    expect(
      (await call(`/api/v1/api-keys/${apiKey.id}`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    await expectProblem(await call("/api/v1/me", { token: secret }), 401, "unauthorized");
  });

  it("refuse a key with a right id and a wrong secret", async () => {
    const user = await newUser();
    const created = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "x", scopes: ["account:read"] },
    });
    const { secret } = (await created.json()) as { secret: string };
    const wrong = `${secret.slice(0, -4)}AAAA`;
    await expectProblem(await call("/api/v1/me", { token: wrong }), 401);
  });

  it("can't be given the admin scope by a non-admin", async () => {
    const user = await newUser();
    await expectProblem(
      await call("/api/v1/api-keys", {
        method: "POST",
        token: user.accessToken,
        json: { name: "x", scopes: ["admin"] },
      }),
      403,
      "scope_not_grantable",
    );
  });
});
