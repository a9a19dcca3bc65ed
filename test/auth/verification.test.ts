import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, login, newUser } from "../helpers/api";
import { settledMailCount, tokenFrom, waitForMail, waitForMails } from "../helpers/mail";

const register = (email: string, password = "Quite-Good-Pass-77") =>
  call("/api/v1/auth/register", { method: "POST", json: { email, password } });
const verify = (token: string) => call("/api/v1/auth/verify-email", { method: "POST", json: { token } });

describe("email verification", () => {
  it("sign-up mails a single-use link (stored hashed); it verifies the account once", async () => {
    const email = `verify-${crypto.randomUUID().slice(0, 8)}@example.com`;
    expect((await register(email)).status).toBe(202);
    const mail = await waitForMail(email, /Confirm your email/);
    expect(mail.html).toContain("<a href=");
    const token = tokenFrom(mail, "/verify-email");

    // Nothing at rest is the token: D1 has its SHA-256 only, the outbox event only its id.
    const stored = await env.DB.prepare(
      "SELECT t.token_hash, o.payload FROM user_tokens t JOIN users u ON u.id = t.user_id JOIN outbox o ON o.topic = 'account.verify_email' AND json_extract(o.payload, '$.userId') = u.id WHERE u.email = ?",
    )
      .bind(email)
      .first<{ token_hash: string; payload: string }>();
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.token_hash).not.toContain(token);
    expect(stored?.payload).not.toContain(token.split(".")[1]);

    const user = await login(email, "Quite-Good-Pass-77");
    const before = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { emailVerified: boolean };
    };
    expect(before.user.emailVerified).toBe(false);

    expect((await verify(token)).status).toBe(200);
    await expectProblem(await verify(token), 400, "invalid_token");
    const after = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { emailVerified: boolean };
    };
    expect(after.user.emailVerified).toBe(true);
  });

  it("two concurrent uses of one token: exactly one succeeds", async () => {
    const email = `race-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await register(email);
    const token = tokenFrom(await waitForMail(email, /Confirm/), "/verify-email");
    const answers = await Promise.all([verify(token), verify(token), verify(token)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it("refuses expired, forged and unknown tokens", async () => {
    const email = `expire-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await register(email);
    const token = tokenFrom(await waitForMail(email, /Confirm/), "/verify-email");
    const [id, mac] = token.split(".");
    await expectProblem(await verify(`${id}.${mac!.slice(0, -2)}xx`), 400, "invalid_token");
    await expectProblem(await verify(`tok_${"a".repeat(20)}.${"B".repeat(43)}`), 400, "invalid_token");
    await expectProblem(await verify("tok_doesnotexist.abcdefghijklmnop"), 422, "validation_failed");
    await env.DB.prepare("UPDATE user_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(id)
      .run();
    await expectProblem(await verify(token), 400, "invalid_token");
  });

  it("unverified accounts sign in but cannot create API keys or buy credits; resend mails a new link", async () => {
    const user = await newUser({ verified: false });
    const key = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "ci", scopes: ["media:read"] },
    });
    await expectProblem(key, 403, "email_unverified");
    await expectProblem(
      await call("/api/v1/billing/orders", {
        method: "POST",
        token: user.accessToken,
        json: { pack: "starter" },
      }),
      403,
      "email_unverified",
    );

    await waitForMail(user.email, /Confirm/);
    const resend = await call("/api/v1/me/verify-email/resend", { method: "POST", token: user.accessToken });
    expect(resend.status).toBe(202);
    // The sign-up link and the new one: two mails, each with its own working token.
    expect(await waitForMails(user.email, /./, 2)).toHaveLength(2);
    const token = tokenFrom(await waitForMail(user.email, /Confirm/), "/verify-email");
    expect((await verify(token)).status).toBe(200);
    const again = await call("/api/v1/api-keys", {
      method: "POST",
      token: user.accessToken,
      json: { name: "ci", scopes: ["media:read"] },
    });
    expect(again.status).toBe(201);
    await expectProblem(
      await call("/api/v1/me/verify-email/resend", { method: "POST", token: user.accessToken }),
      409,
      "already_verified",
    );
  });

  it("registering a taken email mails its owner and creates nothing", async () => {
    const owner = await newUser();
    const before = await settledMailCount(owner.email);
    const res = await register(owner.email.toUpperCase(), "Another-Good-Pass-99");
    expect(res.status).toBe(202);
    const mail = await waitForMail(owner.email, /tried to sign up/);
    expect(mail.text).toContain("/forgot-password");
    expect(await settledMailCount(owner.email)).toBe(before + 1);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(owner.email)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });
});
