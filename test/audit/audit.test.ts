import { env } from "cloudflare:workers";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { purgeExpiredAudit } from "../../src/audit/query";
import { getDb } from "../../src/db/client";
import { call, expectProblem, login, newUser, type TestUser } from "../helpers/api";
import { tokenFrom, waitForMail } from "../helpers/mail";
import { uploadOk } from "../media/helpers";

interface Entry {
  id: string;
  actorId: string | null;
  subjectId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

async function trail(admin: TestUser, query: string): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await call(`/api/v1/admin/audit?${query}`, { token: admin.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function securityEvents(user: TestUser): Promise<Entry[]> {
  const res = await call("/api/v1/me/security-events?limit=100", { token: user.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ items: Entry[] }>()).items;
}

const countRows = async (action: string, targetId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_id = ?")
    .bind(action, targetId)
    .first<{ n: number }>())!.n;

describe("audit trail (#17)", () => {
  it("records sign-ins and failed sign-ins with request id, IP and user agent; the owner sees them", async () => {
    const user = await newUser();
    const bad = await call("/api/v1/auth/login", {
      method: "POST",
      ip: "203.0.113.9",
      headers: { "user-agent": "curl/8.0", "x-request-id": "req-failed-login-1" },
      json: { email: user.email, password: "wrong-password-123" },
    });
    await expectProblem(bad, 401, "invalid_credentials");
    const ok = await call("/api/v1/auth/login", {
      method: "POST",
      ip: "203.0.113.10",
      headers: { "user-agent": "Firefox/140", "x-request-id": "req-good-login-1" },
      json: { email: user.email, password: user.password },
    });
    expect(ok.status).toBe(200);

    const events = await securityEvents(user);
    const failed = events.find((e) => e.requestId === "req-failed-login-1");
    expect(failed).toMatchObject({
      action: "auth.sign_in_failed",
      actorId: null,
      subjectId: user.id,
      ip: "203.0.113.9",
      userAgent: "curl/8.0",
    });
    expect(events.find((e) => e.requestId === "req-good-login-1")).toMatchObject({
      action: "auth.sign_in",
      actorId: user.id,
      subjectId: user.id,
      targetType: "session",
      ip: "203.0.113.10",
      userAgent: "Firefox/140",
    });
    // Newest first.
    const times = events.map((e) => e.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    // Nobody else's events, and none of this user's in another user's list.
    const other = await newUser();
    expect((await securityEvents(other)).every((e) => e.subjectId === other.id)).toBe(true);
  });

  it("writes the row in the same batch as its change: a change that fails leaves no row, a row that fails undoes the change", async () => {
    const user = await newUser();
    const admin = await newUser({ role: "admin" });
    // A change that doesn't happen (no such user, a key already revoked) records nothing.
    await expectProblem(
      await call("/api/v1/admin/users/usr_00000000000000000000", {
        method: "PATCH",
        token: admin.accessToken,
        json: { role: "admin" },
      }),
      404,
    );
    expect(await countRows("admin.user_updated", "usr_00000000000000000000")).toBe(0);
    const key = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "ci", scopes: ["media:read"] },
    });
    const keyId = (await key.json<{ apiKey: { id: string } }>()).apiKey.id;
    for (let i = 0; i < 2; i++)
      await call(`/api/v1/api-keys/${keyId}`, { method: "DELETE", token: user.accessToken });
    expect(await countRows("api_key.created", keyId)).toBe(1);
    expect(await countRows("api_key.revoked", keyId)).toBe(1);

    // Make the audit insert fail: the API key it would record must not exist either.
    await env.DB.prepare(
      `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log WHEN NEW.action = 'api_key.created'
       BEGIN SELECT RAISE(ABORT, 'audit write failed'); END`,
    ).run();
    try {
      const failed = await call("/api/v1/api-keys", {
        method: "POST",
        token: user.accessToken,
        json: { name: "never", scopes: ["media:read"] },
      });
      expect(failed.status).toBe(500);
    } finally {
      await env.DB.prepare("DROP TRIGGER test_audit_fails").run();
    }
    const keys = await env.DB.prepare(
      "SELECT count(*) AS n FROM api_keys WHERE user_id = ? AND name = 'never'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(keys!.n).toBe(0);
  });

  it("is append-only: no route and no statement changes a row; only rows past retention can be deleted", async () => {
    const user = await newUser();
    const admin = await newUser({ role: "admin" });
    const [row] = (await trail(admin, `subject=${user.id}&action=auth.sign_in`)).items;
    expect(row).toBeDefined();
    await expect(
      env.DB.prepare("UPDATE audit_log SET action = 'x' WHERE id = ?").bind(row!.id).run(),
    ).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM audit_log WHERE id = ?").bind(row!.id).run()).rejects.toThrow(
      /only by retention/,
    );
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      await expectProblem(
        await call("/api/v1/admin/audit", { method, token: admin.accessToken, json: {} }),
        405,
        "method_not_allowed",
      );
    }

    // Retention: an old row goes, a recent one stays (whatever the cutoff says about it).
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    await env.DB.prepare(
      "INSERT INTO audit_log (id, action, subject_id, created_at) VALUES ('aud_old_row_for_retention', 'auth.sign_in', ?, ?)",
    )
      .bind(user.id, old)
      .run();
    const deleted = await purgeExpiredAudit(getDb(env.DB), 365, new Date());
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare("SELECT id FROM audit_log WHERE subject_id = ?").bind(user.id).all();
    expect(left.results.map((r) => r.id)).not.toContain("aud_old_row_for_retention");
    expect(left.results.map((r) => r.id)).toContain(row!.id);
    // A clock far in the future can't take recent rows with it.
    await purgeExpiredAudit(getDb(env.DB), 1, new Date(Date.now() + 1000 * 86_400_000));
    expect(await countRows("auth.sign_in", row!.targetId!)).toBe(1);
  });

  it("records admin changes with before/after, password changes, sessions, shares and purges", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const changed = await call(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { disabled: true },
    });
    expect(changed.status).toBe(200);
    const [update] = (await trail(admin, `action=admin.user_updated&target=${user.id}`)).items;
    expect(update).toMatchObject({
      actorId: admin.id,
      subjectId: user.id,
      detail: { before: { role: "user", disabled: false }, after: { disabled: true } },
    });
    // Disabling ended the user's session: one session.revoked row by the admin.
    const revoked = (await trail(admin, `action=session.revoked&subject=${user.id}`)).items;
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ actorId: admin.id, detail: { reason: "account_disabled" } });
    await call(`/api/v1/admin/users/${user.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { disabled: false },
    });

    const again = await login(user.email, user.password);
    const newPassword = `N3w-${crypto.randomUUID()}`;
    const pw = await call("/api/v1/me/password", {
      method: "POST",
      token: again.accessToken,
      json: { currentPassword: user.password, newPassword },
    });
    expect(pw.status, await pw.clone().text()).toBe(200);
    const fresh = await login(user.email, newPassword);
    const mine = (await securityEvents(fresh)).map((e) => e.action);
    expect(mine).toEqual(
      expect.arrayContaining([
        "admin.user_updated",
        "user.password_changed",
        "session.revoked",
        "auth.sign_in",
      ]),
    );

    const media = await uploadOk(fresh, "hello", "note.txt");
    const share = await call(`/api/v1/media/${media.id}/shares`, {
      method: "POST",
      token: fresh.accessToken,
      json: {},
    });
    const shareId = (await share.json<{ share: { id: string } }>()).share.id;
    await call(`/api/v1/media/${media.id}/shares/${shareId}`, { method: "DELETE", token: fresh.accessToken });
    await call(`/api/v1/media/${media.id}?purge=true`, { method: "DELETE", token: fresh.accessToken });
    const others = (await trail(admin, `subject=${user.id}&limit=100`)).items.map((e) => [
      e.action,
      e.targetId,
    ]);
    expect(others).toEqual(
      expect.arrayContaining([
        ["share.created", shareId],
        ["share.revoked", shareId],
        ["media.purge", media.id],
      ]),
    );
    // Shares and purges are not security events.
    expect((await securityEvents(fresh)).some((e) => e.action.startsWith("share."))).toBe(false);
  });

  it("filters, pages with a cursor, exports CSV safely, and is for admins only", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    for (let i = 0; i < 3; i++) {
      await call("/api/v1/auth/login", {
        method: "POST",
        headers: { "user-agent": '=HYPERLINK("http://evil")' },
        json: { email: user.email, password: "not-the-password-1" },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await trail(
        admin,
        `subject=${user.id}&action=auth.sign_in_failed&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      seen.push(...page.items.map((e) => e.id));
      expect(page.items.every((e) => e.action === "auth.sign_in_failed")).toBe(true);
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await trail(admin, `subject=${user.id}&from=${future}`)).items).toHaveLength(0);

    const csv = await call(`/api/v1/admin/audit?format=csv&subject=${user.id}&action=auth.sign_in_failed`, {
      token: admin.accessToken,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("x-truncated")).toBe("false");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "createdAt,action,actorId,subjectId,targetType,targetId,requestId,ip,userAgent,detail",
    );
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);

    await expectProblem(await call("/api/v1/admin/audit", { token: user.accessToken }), 403);
    await expectProblem(await call("/api/v1/admin/audit?cursor=nonsense", { token: admin.accessToken }), 400);
    await expectProblem(await call("/api/v1/admin/audit?from=yesterday", { token: admin.accessToken }), 422);
  });
  it("records 2FA, password resets and an admin's credit and quota changes with subject and request (#13's rows)", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const as = (token: string, requestId: string) => ({ token, headers: { "x-request-id": requestId } });
    const setup = await call("/api/v1/me/2fa/setup", { method: "POST", token: user.accessToken });
    const { secret } = await setup.json<{ secret: string }>();
    const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
    const on = await call("/api/v1/me/2fa/enable", {
      method: "POST",
      ...as(user.accessToken, "req-2fa-on"),
      json: { code: totp.generate() },
    });
    expect(on.status, await on.clone().text()).toBe(200);
    const signIn = (otp: string | undefined, requestId: string) =>
      call("/api/v1/auth/login", {
        method: "POST",
        headers: { "x-request-id": requestId },
        json: { email: user.email, password: user.password, ...(otp ? { otp } : {}) },
      });
    // Being asked for the code is a step, not a failure; a wrong code is.
    await expectProblem(await signIn(undefined, "req-otp-asked"), 401, "otp_required");
    await expectProblem(await signIn("000000", "req-otp-wrong"), 401, "otp_invalid");

    const reason = "audit check";
    await call(`/api/v1/admin/users/${user.id}/credits`, {
      method: "POST",
      ...as(admin.accessToken, "req-credits"),
      json: { amount: 7, reason },
    });
    await call(`/api/v1/admin/users/${user.id}/quota`, {
      method: "PATCH",
      ...as(admin.accessToken, "req-quota"),
      json: { files: 500, reason },
    });
    await call("/api/v1/auth/password-reset", { method: "POST", json: { email: user.email } });
    const token = tokenFrom(await waitForMail(user.email, /Reset your password/), "/reset-password");
    const reset = await call("/api/v1/auth/password-reset/confirm", {
      method: "POST",
      headers: { "x-request-id": "req-reset" },
      json: { token, password: `Reset-${crypto.randomUUID()}` },
    });
    expect(reset.status, await reset.clone().text()).toBe(200);

    const rows = (await trail(admin, `subject=${user.id}&limit=100`)).items;
    const byRequest = (id: string) => rows.filter((e) => e.requestId === id);
    expect(byRequest("req-2fa-on")).toEqual([
      expect.objectContaining({ action: "user.2fa_enabled", actorId: user.id, subjectId: user.id }),
    ]);
    expect(byRequest("req-otp-asked")).toEqual([]);
    expect(byRequest("req-otp-wrong")).toEqual([
      expect.objectContaining({ action: "auth.sign_in_failed", detail: { reason: "otp_invalid" } }),
    ]);
    expect(byRequest("req-credits")).toEqual([
      expect.objectContaining({ action: "admin.credits_granted", actorId: admin.id, subjectId: user.id }),
    ]);
    expect(byRequest("req-quota")).toEqual([
      expect.objectContaining({ action: "admin.quota_changed", actorId: admin.id, subjectId: user.id }),
    ]);
    expect(byRequest("req-reset")).toEqual([
      expect.objectContaining({ action: "user.password_reset", actorId: user.id, subjectId: user.id }),
    ]);
  });
});
