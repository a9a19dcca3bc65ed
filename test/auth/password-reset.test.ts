import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { requestPasswordReset } from "../../src/auth/password-reset";
import { getDb } from "../../src/db/client";
import { MAIL_TOPICS } from "../../src/email/catalog";
import { call, expectProblem, login, newUser } from "../helpers/api";
import { settledMailCount, tokenFrom, waitForMail, waitForMails } from "../helpers/mail";

const requestReset = (email: string, ip?: string) =>
  call("/api/v1/auth/password-reset", { method: "POST", json: { email }, ip });
const confirm = (token: string, password: string) =>
  call("/api/v1/auth/password-reset/confirm", { method: "POST", json: { token, password } });

/** The answer without what differs per request (its id). */
async function shape(res: Response) {
  const headers = [...res.headers.entries()].filter(([k]) => !/x-request-id|ratelimit|date/i.test(k));
  return { status: res.status, headers, body: await res.text() };
}

describe("password reset", () => {
  it("answers a known and an unknown email alike, and mails only the owner", async () => {
    const user = await newUser();
    const known = await shape(await requestReset(user.email));
    const unknown = await shape(await requestReset(`nobody-${crypto.randomUUID()}@example.com`));
    expect(known.status).toBe(202);
    expect(unknown).toEqual(known);
    const mail = await waitForMail(user.email, /Reset your password/);
    expect(mail.text).toContain("30 minutes");
  });

  it("writes the same rows for an address with an account and one without; only the owner's is mailed", async () => {
    const db = getDb(env.DB);
    const owner = await newUser();
    const disabled = await newUser();
    await env.DB.prepare("UPDATE users SET disabled_at = created_at WHERE id = ?").bind(disabled.id).run();
    const ctx = { db, secret: env.AUTH_SECRET, appOrigin: "https://app.test" };
    const written = async (email: string) => {
      const eventId = await requestPasswordReset(db, email, env.AUTH_SECRET, new Date());
      const event = await env.DB.prepare("SELECT payload FROM outbox WHERE id = ?")
        .bind(eventId)
        .first<{ payload: string }>();
      const payload = JSON.parse(event!.payload) as Record<string, unknown>;
      const token = await env.DB.prepare("SELECT user_id, token_hash FROM user_tokens WHERE id = ?")
        .bind(payload.tokenId)
        .first<{ user_id: string | null; token_hash: string }>();
      return { payload, token, mail: await MAIL_TOPICS["account.password_reset"]!(payload, ctx) };
    };

    const known = await written(owner.email);
    const unknown = await written(`nobody-${crypto.randomUUID()}@example.com`);
    const off = await written(disabled.email);
    // One event and one token row each (a write costs the same either way); the event names only the token.
    for (const w of [known, unknown, off]) {
      expect(Object.keys(w.payload)).toEqual(["tokenId"]);
      expect(w.token?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(known.token?.user_id).toBe(owner.id);
    expect(known.mail).toMatchObject({ to: owner.email, subject: "Reset your password" });
    // No account (or a disabled one): the row names no one and is never mailed.
    expect(unknown.token?.user_id).toBeNull();
    expect(unknown.mail).toBeNull();
    expect(off.token?.user_id).toBeNull();
    expect(off.mail).toBeNull();
  });

  it("sets the password once, ends every session and refresh family, and mails 'password changed'", async () => {
    const user = await newUser();
    const other = await login(user.email, user.password);
    const key = (await (
      await call("/api/v1/api-keys", {
        method: "POST",
        token: user.accessToken,
        json: { name: "k", scopes: ["account:read"] },
      })
    ).json()) as { secret: string };
    await requestReset(user.email);
    const token = tokenFrom(await waitForMail(user.email, /Reset your password/), "/reset-password");
    const newPassword = `Brand-New-Pass-${crypto.randomUUID().slice(0, 6)}`;

    const res = await confirm(token, newPassword);
    expect(res.status, await res.clone().text()).toBe(200);
    await expectProblem(await confirm(token, `${newPassword}-again`), 400, "invalid_token");

    for (const session of [user, other]) {
      await expectProblem(await call("/api/v1/me", { token: session.accessToken }), 401);
      await expectProblem(await call("/api/v1/me", { cookie: session.cookie }), 401);
      await expectProblem(
        await call("/api/v1/auth/refresh", { method: "POST", json: { refreshToken: session.refreshToken } }),
        401,
      );
    }
    await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: user.email, password: user.password },
      }),
      401,
      "invalid_credentials",
    );
    await expectProblem(await call("/api/v1/me", { token: key.secret }), 401);
    await login(user.email, newPassword);
    await waitForMail(user.email, /password was changed/);
  });

  it("a second reset link dies when the first one is used; concurrent confirms change the password once", async () => {
    const user = await newUser();
    await requestReset(user.email);
    await waitForMail(user.email, /Reset your password/);
    await requestReset(user.email);
    const mails = await waitForMails(user.email, /^Reset/, 2);
    expect(mails).toHaveLength(2);
    const [first, second] = mails.map((m) => tokenFrom(m, "/reset-password"));

    const answers = await Promise.all([
      confirm(first!, "Racing-Pass-One-1"),
      confirm(first!, "Racing-Pass-Two-2"),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    await expectProblem(await confirm(second!, "Third-Try-Pass-33"), 400, "invalid_token");
    await waitForMail(user.email, /password was changed/);
    await settledMailCount(user.email);
    const passwordMails = (
      await env.DB.prepare(
        "SELECT count(*) AS n FROM dev_mail WHERE to_address = ? AND subject LIKE '%password was changed%'",
      )
        .bind(user.email)
        .first<{ n: number }>()
    )?.n;
    expect(passwordMails).toBe(1);
  });

  it("refuses an expired token and a weak password (the token stays usable after a weak one)", async () => {
    const user = await newUser();
    await requestReset(user.email);
    const token = tokenFrom(await waitForMail(user.email, /Reset your password/), "/reset-password");
    const weak = await expectProblem(await confirm(token, "password123"), 422, "weak_password");
    expect(weak.errors?.[0]?.path).toBe("password");
    await env.DB.prepare("UPDATE user_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(token.split(".")[0])
      .run();
    await expectProblem(await confirm(token, "A-Fine-Pass-4242"), 400, "invalid_token");
  });

  it("is rate limited per address", async () => {
    const user = await newUser();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await requestReset(user.email)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});
