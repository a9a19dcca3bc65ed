import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";

async function apiKey(user: TestUser): Promise<string> {
  const res = await call("/api/v1/api-keys", {
    method: "POST",
    token: user.accessToken,
    json: { name: "ci", scopes: ["media:read", "account:read"] },
  });
  expect(res.status).toBe(201);
  return (await res.json<{ secret: string }>()).secret;
}

const liveKeys = async (userId: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE user_id = ? AND revoked_at IS NULL")
      .bind(userId)
      .first<{ n: number }>()
  )?.n;

describe("API keys die with the credentials that made them (#6)", () => {
  it("a password change revokes every key of the account", async () => {
    const user = await newUser();
    const [a, b] = [await apiKey(user), await apiKey(user)];
    expect((await call("/api/v1/me", { token: a })).status).toBe(200);
    const changed = await call("/api/v1/me/password", {
      method: "POST",
      token: user.accessToken,
      json: { currentPassword: user.password, newPassword: `${user.password}-new` },
    });
    expect(changed.status, await changed.clone().text()).toBe(200);
    await expectProblem(await call("/api/v1/me", { token: a }), 401);
    await expectProblem(await call("/api/v1/me", { token: b }), 401);
    expect(await liveKeys(user.id)).toBe(0);
    // A new key made after the change works.
    const { accessToken } = await changed.json<{ accessToken: string }>();
    const fresh = await apiKey({ ...user, accessToken });
    expect((await call("/api/v1/me", { token: fresh })).status).toBe(200);
  });

  it("disabling an account revokes its keys: re-enabling it does not bring them back", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const key = await apiKey(user);
    const patch = (disabled: boolean) =>
      call(`/api/v1/admin/users/${user.id}`, {
        method: "PATCH",
        token: admin.accessToken,
        json: { disabled },
      });
    expect((await patch(true)).status).toBe(200);
    await expectProblem(await call("/api/v1/me", { token: key }), 401);
    expect((await patch(false)).status).toBe(200);
    await expectProblem(await call("/api/v1/me", { token: key }), 401);
    expect(await liveKeys(user.id)).toBe(0);
    const audit = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE target_id = ? AND action = 'admin.user_updated'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(audit?.n).toBe(2);
  });

  it("a role change alone leaves the keys alone", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const key = await apiKey(user);
    const res = await call(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { role: "admin" },
    });
    expect(res.status).toBe(200);
    expect((await call("/api/v1/me", { token: key })).status).toBe(200);
  });
});

describe("admins can't end their own sessions through the admin route (#7)", () => {
  it("DELETE /admin/users/{own id}/sessions is 409 cannot_change_self and ends nothing", async () => {
    const admin = await newUser({ role: "admin" });
    await expectProblem(
      await call(`/api/v1/admin/users/${admin.id}/sessions`, { method: "DELETE", token: admin.accessToken }),
      409,
      "cannot_change_self",
    );
    expect((await call("/api/v1/me", { token: admin.accessToken })).status).toBe(200);
    expect((await call("/api/v1/me", { cookie: admin.cookie })).status).toBe(200);
  });
});
