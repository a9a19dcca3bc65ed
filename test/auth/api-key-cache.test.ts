import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  cachedApiKey,
  forgetUser,
  type KeyHolder,
  readTicket,
  rememberApiKey,
} from "../../src/auth/session-cache";
import { getConfig } from "../../src/config";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";

// An isolate admits an API key on what it last read of the key and its user for
// SESSION_CACHE_SECONDS (ADR 0013), as for access tokens: revocations through this isolate count at
// once, others within the bound; the key's last use is written at most once a minute.
const boundMs = getConfig(env).sessionCacheSeconds * 1000;

async function newKey(user: TestUser): Promise<{ id: string; secret: string }> {
  const res = await call("/api/v1/api-keys", {
    method: "POST",
    token: user.accessToken,
    json: { name: "cache", scopes: ["account:read"] },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = await res.json<{ apiKey: { id: string }; secret: string }>();
  return { id: body.apiKey.id, secret: body.secret };
}

const lastUsed = async (id: string) =>
  (await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
    .bind(id)
    .first<{ last_used_at: string | null }>())!.last_used_at;

describe("API keys and the isolate's principal cache (#19)", () => {
  it("a key's requests within the bound read no D1: a revocation written to D1 directly (as by another isolate) counts only after it", async () => {
    expect(boundMs).toBeGreaterThan(0);
    const user = await newUser({ verified: true });
    const key = await newKey(user);
    expect((await call("/api/v1/me", { token: key.secret })).status).toBe(200);
    const cachedBy = Date.now();
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?")
      .bind(new Date().toISOString(), key.id)
      .run();
    // Straight after, the isolate answers from what it read (before the cache: 401 here).
    expect((await call("/api/v1/me", { token: key.secret })).status).toBe(200);
    for (;;) {
      const sent = Date.now();
      const res = await call("/api/v1/me", { token: key.secret });
      if (res.status === 401) break;
      expect(res.status).toBe(200);
      expect(sent).toBeLessThan(cachedBy + boundMs);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it("revoking the key or disabling the account through this isolate stops a cached key at once", async () => {
    const user = await newUser({ verified: true });
    const revoked = await newKey(user);
    const other = await newKey(user);
    for (const key of [revoked, other])
      expect((await call("/api/v1/me", { token: key.secret })).status).toBe(200);
    const revoke = await call(`/api/v1/api-keys/${revoked.id}`, {
      method: "DELETE",
      token: user.accessToken,
    });
    expect(revoke.status).toBe(204);
    await expectProblem(await call("/api/v1/me", { token: revoked.secret }), 401);
    expect((await call("/api/v1/me", { token: other.secret })).status).toBe(200);

    const admin = await newUser({ role: "admin" });
    const disable = await call(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { disabled: true },
    });
    expect(disable.status, await disable.clone().text()).toBe(200);
    await expectProblem(await call("/api/v1/me", { token: other.secret }), 401);
  });

  it("a key's last use is written once a minute at most: no D1 write per request", async () => {
    const user = await newUser({ verified: true });
    const key = await newKey(user);
    expect((await call("/api/v1/me", { token: key.secret })).status).toBe(200);
    for (let i = 0; i < 20 && (await lastUsed(key.id)) === null; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await lastUsed(key.id)).not.toBeNull();
    // Cleared behind the app's back: requests within the minute leave it so (before: each one wrote).
    await env.DB.prepare("UPDATE api_keys SET last_used_at = NULL WHERE id = ?").bind(key.id).run();
    for (let i = 0; i < 3; i++) expect((await call("/api/v1/me", { token: key.secret })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(await lastUsed(key.id)).toBeNull();
  });

  it("a cached key past its own expiry is refused; a read that raced a forget is not remembered", () => {
    const holder = (keyExpiresAt: string | null): KeyHolder => ({
      keyId: "key_cache_test",
      scopes: ["account:read"],
      keyExpiresAt,
      user: { id: "usr_key_cache", email: "k@example.com", role: "user", emailVerifiedAt: null },
    });
    const now = Date.now();
    rememberApiKey("digest-expired", holder(new Date(now - 1).toISOString()), 60, now, readTicket());
    expect(cachedApiKey("digest-expired", now)).toBeNull();
    rememberApiKey("digest-live", holder(null), 60, now, readTicket());
    expect(cachedApiKey("digest-live", now)?.keyId).toBe("key_cache_test");
    expect(cachedApiKey("digest-live", now + 60_000)).toBeNull();

    const readAt = readTicket();
    forgetUser("usr_key_cache");
    rememberApiKey("digest-raced", holder(null), 60, now, readAt);
    expect(cachedApiKey("digest-raced", now)).toBeNull();
  });
});
