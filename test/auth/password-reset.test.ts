import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, login, newUser } from "../helpers/api";
import { settledMailCount, tokenFrom, waitForMail } from "../helpers/mail";

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
    // No token row and no mail event exist for the unknown address.
    const rows = await env.DB.prepare(
      "SELECT count(*) AS n FROM outbox WHERE topic = 'account.password_reset' AND json_extract(payload, '$.email') LIKE 'nobody-%'",
    ).first<{ n: number }>();
    expect(rows?.n).toBe(0);
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
    const resetMails = async () =>
      (
        await env.DB.prepare(
          "SELECT text FROM dev_mail WHERE to_address = ? AND subject LIKE 'Reset%' ORDER BY created_at",
        )
          .bind(user.email)
          .all<{ text: string }>()
      ).results;
    await settledMailCount(user.email);
    const mails = await resetMails();
    expect(mails).toHaveLength(2);
    const [first, second] = mails.map((m) => tokenFrom({ text: m.text } as never, "/reset-password"));

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
