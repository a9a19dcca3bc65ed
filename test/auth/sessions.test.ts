import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createSession, resolveCookieSession } from "../../src/auth/sessions";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { call, expectProblem, login, newUser, sessionCookieFrom } from "../helpers/api";

describe("sessions", () => {
  it("logout ends the cookie session and its tokens for real", async () => {
    const user = await newUser();
    const res = await call("/api/v1/auth/logout", { method: "POST", cookie: user.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join()).toMatch(/__Host-edgecraft_session=;.*Max-Age=0/);
    await expectProblem(await call("/api/v1/me", { cookie: user.cookie }), 401);
    await expectProblem(await call("/api/v1/me", { token: user.accessToken }), 401);
    await expectProblem(
      await call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: user.refreshToken } }),
      401,
    );
  });

  it("lists my sessions, marks the current one, and ends another by id", async () => {
    const user = await newUser();
    const second = await login(user.email, user.password);
    const list = (await (await call("/api/v1/sessions", { cookie: user.cookie })).json()) as {
      items: { id: string; current: boolean }[];
    };
    expect(list.items).toHaveLength(2);
    const other = list.items.find((s) => !s.current)!;
    expect(list.items.filter((s) => s.current)).toHaveLength(1);

    expect(
      (await call(`/api/v1/sessions/${other.id}`, { method: "DELETE", cookie: user.cookie })).status,
    ).toBe(204);
    await expectProblem(await call("/api/v1/me", { cookie: second.cookie }), 401);
    expect((await call("/api/v1/me", { cookie: user.cookie })).status).toBe(200);
  });

  it("ends all other sessions at once", async () => {
    const user = await newUser();
    const second = await login(user.email, user.password);
    const third = await login(user.email, user.password);
    const res = await call("/api/v1/sessions", { method: "DELETE", token: third.accessToken });
    expect(await res.json()).toEqual({ ended: 2 });
    await expectProblem(await call("/api/v1/me", { cookie: user.cookie }), 401);
    await expectProblem(await call("/api/v1/me", { cookie: second.cookie }), 401);
    expect((await call("/api/v1/me", { token: third.accessToken })).status).toBe(200);
  });

  it("answers 404 for another user's session or API key", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const bobSessions = (await (await call("/api/v1/sessions", { token: bob.accessToken })).json()) as {
      items: { id: string }[];
    };
    await expectProblem(
      await call(`/api/v1/sessions/${bobSessions.items[0]!.id}`, {
        method: "DELETE",
        token: alice.accessToken,
      }),
      404,
      "not_found",
    );
    const key = await call("/api/v1/api-keys", {
      method: "POST",
      token: bob.accessToken,
      json: { name: "b", scopes: ["media:read"] },
    });
    const { apiKey } = (await key.json()) as { apiKey: { id: string } };
    await expectProblem(
      await call(`/api/v1/api-keys/${apiKey.id}`, { method: "DELETE", token: alice.accessToken }),
      404,
    );
    // Bob's session and key survive Alice's attempts.
    expect((await call("/api/v1/me", { token: bob.accessToken })).status).toBe(200);
    const keys = (await (await call("/api/v1/api-keys", { token: bob.accessToken })).json()) as {
      items: { revokedAt: string | null }[];
    };
    expect(keys.items[0]!.revokedAt).toBeNull();
  });

  it("a password change ends every session and hands the caller a fresh one", async () => {
    const user = await newUser();
    const other = await login(user.email, user.password);
    const newPassword = "A-brand-new-passphrase-42";
    const res = await call("/api/v1/me/password", {
      method: "POST",
      cookie: user.cookie,
      json: { currentPassword: user.password, newPassword },
    });
    expect(res.status).toBe(200);
    const freshCookie = sessionCookieFrom(res);
    await expectProblem(await call("/api/v1/me", { cookie: user.cookie }), 401);
    await expectProblem(await call("/api/v1/me", { token: other.accessToken }), 401);
    expect((await call("/api/v1/me", { cookie: freshCookie })).status).toBe(200);
    await login(user.email, newPassword);
  });

  it("refuses a password change with a wrong current password", async () => {
    const user = await newUser();
    await expectProblem(
      await call("/api/v1/me/password", {
        method: "POST",
        token: user.accessToken,
        json: { currentPassword: "wrong-password", newPassword: "A-brand-new-passphrase-42" },
      }),
      403,
      "invalid_credentials",
    );
  });

  it("keeps the cookie entry in KV only for the idle timeout, and refuses it past the absolute timeout", async () => {
    const user = await newUser();
    const config = getConfig(env);
    const db = getDb(env.DB);
    const start = new Date();
    const session = await createSession(
      { db, kv: env.SESSIONS, config, now: start },
      { userId: user.id, userAgent: "test", ip: null },
    );
    const listed = await env.SESSIONS.list({ prefix: "sess:" });
    const expirations = listed.keys.map((k) => k.expiration ?? 0);
    const expected = Math.floor(start.getTime() / 1000) + config.sessionIdle;
    expect(expirations.some((e) => Math.abs(e - expected) <= 5)).toBe(true);

    const deps = (now: Date) => ({ db, kv: env.SESSIONS, config, now });
    expect(await resolveCookieSession(deps(start), session.cookieToken)).toMatchObject({ userId: user.id });
    const afterAbsolute = new Date(start.getTime() + (config.sessionAbsolute + 1) * 1000);
    expect(await resolveCookieSession(deps(afterAbsolute), session.cookieToken)).toBeNull();
    // Once past the absolute limit the entry is gone, even for a clock back in range.
    expect(await resolveCookieSession(deps(start), session.cookieToken)).toBeNull();
  });
});

describe("admin", () => {
  it("users get 403 on every admin route", async () => {
    const user = await newUser();
    await expectProblem(await call("/api/v1/admin/users", { token: user.accessToken }), 403, "forbidden");
    await expectProblem(
      await call(`/api/v1/admin/users/${user.id}`, {
        method: "PATCH",
        token: user.accessToken,
        json: { role: "admin" },
      }),
      403,
    );
    await expectProblem(
      await call(`/api/v1/admin/users/${user.id}/sessions`, { method: "DELETE", token: user.accessToken }),
      403,
    );
    await expectProblem(await call("/api/v1/admin/users"), 401);
  });

  it("an admin lists users, changes roles, disables an account (ending its sessions) and re-enables it", async () => {
    const admin = await newUser({ role: "admin" });
    const target = await newUser();
    const list = (await (
      await call(`/api/v1/admin/users?q=${encodeURIComponent(target.email)}`, { token: admin.accessToken })
    ).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((u) => u.id)).toEqual([target.id]);

    const disabled = await call(`/api/v1/admin/users/${target.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { disabled: true },
    });
    expect(((await disabled.json()) as { user: { disabled: boolean } }).user.disabled).toBe(true);
    await expectProblem(await call("/api/v1/me", { cookie: target.cookie }), 401);
    await expectProblem(await call("/api/v1/me", { token: target.accessToken }), 401);
    await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: target.email, password: target.password },
      }),
      403,
      "account_disabled",
    );
    // …but only with the right password: a wrong one is told nothing about the account.
    await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: target.email, password: `${target.password}-wrong` },
      }),
      401,
      "invalid_credentials",
    );

    await call(`/api/v1/admin/users/${target.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { disabled: false, role: "admin" },
    });
    const back = await login(target.email, target.password);
    const me = (await (await call("/api/v1/me", { token: back.accessToken })).json()) as {
      user: { role: string };
    };
    expect(me.user.role).toBe("admin");
  });

  it("an admin ends a user's sessions, and can't disable themselves", async () => {
    const admin = await newUser({ role: "admin" });
    const target = await newUser();
    const res = await call(`/api/v1/admin/users/${target.id}/sessions`, {
      method: "DELETE",
      token: admin.accessToken,
    });
    expect(await res.json()).toEqual({ ended: 1 });
    await expectProblem(await call("/api/v1/me", { token: target.accessToken }), 401);
    await expectProblem(
      await call(`/api/v1/admin/users/${admin.id}`, {
        method: "PATCH",
        token: admin.accessToken,
        json: { disabled: true },
      }),
      409,
      "cannot_change_self",
    );
    await expectProblem(
      await call("/api/v1/admin/users/usr_nobody000000000000", {
        method: "PATCH",
        token: admin.accessToken,
        json: { role: "user" },
      }),
      404,
    );
  });

  it("an admin gets per-day activity for the dashboard charts; a user gets 403", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    await expectProblem(await call("/api/v1/admin/stats", { token: user.accessToken }), 403);
    await expectProblem(await call("/api/v1/admin/stats?days=0", { token: admin.accessToken }), 422);
    const res = await call("/api/v1/admin/stats?days=7", { token: admin.accessToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      days: { date: string; signups: number; jobsCreated: number }[];
      totals: { users: number };
    };
    expect(body.days).toHaveLength(7);
    const today = new Date().toISOString().slice(0, 10);
    expect(body.days.at(-1)?.date).toBe(today);
    const signupsToday = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE created_at >= ?")
      .bind(today)
      .first<{ n: number }>();
    expect(body.days.at(-1)?.signups).toBe(signupsToday?.n);
    expect(body.totals.users).toBeGreaterThanOrEqual(2);
    expect(new Set(body.days.map((d) => d.date)).size).toBe(7);
  });
});
