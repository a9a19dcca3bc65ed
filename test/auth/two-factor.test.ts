import { env } from "cloudflare:workers";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { waitForMail } from "../helpers/mail";

const totp = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
const codeAt = (secret: string, offsetSeconds = 0) =>
  totp(secret).generate({ timestamp: Date.now() + offsetSeconds * 1000 });

const signIn = (user: TestUser, otp?: string) =>
  call("/api/v1/auth/login", {
    method: "POST",
    json: { email: user.email, password: user.password, ...(otp !== undefined ? { otp } : {}) },
  });

/** Turns 2FA on for a new user; returns the secret and recovery codes. */
async function withTwoFactor() {
  const user = await newUser();
  const setup = await call("/api/v1/me/2fa/setup", { method: "POST", token: user.accessToken });
  expect(setup.status).toBe(200);
  const { secret, otpauthUrl } = (await setup.json()) as { secret: string; otpauthUrl: string };
  expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Edgecraft:.*secret=/);
  expect(otpauthUrl).toContain(`secret=${secret}`);
  const enablingCode = codeAt(secret);
  const enable = await call("/api/v1/me/2fa/enable", {
    method: "POST",
    token: user.accessToken,
    json: { code: enablingCode },
  });
  expect(enable.status, await enable.clone().text()).toBe(200);
  const { recoveryCodes } = (await enable.json()) as { recoveryCodes: string[] };
  return { user, secret, recoveryCodes, enablingCode };
}

/** Clears the per-account code limit, so one test can try many codes. */
const previousStep = async (userId: string) => {
  await env.DB.prepare("UPDATE users SET totp_last_step = totp_last_step - 3 WHERE id = ?")
    .bind(userId)
    .run();
};

describe("two-factor sign-in", () => {
  it("setup → enable: 10 recovery codes shown once, stored as keyed hashes; secret sealed at rest; a mail", async () => {
    const { user, secret, recoveryCodes } = await withTwoFactor();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const row = await env.DB.prepare("SELECT totp_secret FROM users WHERE id = ?")
      .bind(user.id)
      .first<{ totp_secret: string }>();
    expect(row?.totp_secret).toMatch(/^v1\./);
    expect(row?.totp_secret).not.toContain(secret);
    const hashes = await env.DB.prepare("SELECT code_hash FROM recovery_codes WHERE user_id = ?")
      .bind(user.id)
      .all<{ code_hash: string }>();
    expect(hashes.results).toHaveLength(10);
    for (const { code_hash } of hashes.results)
      for (const code of recoveryCodes) expect(code_hash).not.toContain(code.replace("-", ""));
    const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { twoFactorEnabled: boolean };
    };
    expect(me.user.twoFactorEnabled).toBe(true);
    await waitForMail(user.email, /Two-factor sign-in is on/);
    await expectProblem(
      await call("/api/v1/me/2fa/setup", { method: "POST", token: user.accessToken }),
      409,
      "two_factor_enabled",
    );
  });

  it("refuses to enable with a wrong code, or without setup", async () => {
    const user = await newUser();
    await expectProblem(
      await call("/api/v1/me/2fa/enable", {
        method: "POST",
        token: user.accessToken,
        json: { code: "123456" },
      }),
      409,
      "setup_required",
    );
    await call("/api/v1/me/2fa/setup", { method: "POST", token: user.accessToken });
    const wrong = await expectProblem(
      await call("/api/v1/me/2fa/enable", {
        method: "POST",
        token: user.accessToken,
        json: { code: "000000" },
      }),
      422,
      "otp_invalid",
    );
    expect(wrong.errors?.[0]?.path).toBe("code");
  });

  // The test buckets (vitest.config.ts) allow 5 logins per account and 4 code checks (enabling is one).
  it("login: no otp → otp_required, wrong → otp_invalid; a code outside the window or used to enable fails", async () => {
    const { user, secret, enablingCode } = await withTwoFactor();
    await expectProblem(await signIn(user), 401, "otp_required");
    await expectProblem(await signIn(user, "000000"), 401, "otp_invalid");
    // A code from three steps ago is outside the ±1 step window.
    await expectProblem(await signIn(user, codeAt(secret, -90)), 401, "otp_invalid");
    // The code that enabled 2FA was already used (that very code: the code of the current step is a
    // new one when the 30 s step turned since enabling, as it did in a loaded CI run).
    await expectProblem(await signIn(user, enablingCode), 401, "otp_invalid");
  });

  it("login with a right code signs in; the same code cannot be replayed inside its window", async () => {
    const { user, secret } = await withTwoFactor();
    await previousStep(user.id);
    const code = codeAt(secret);
    const ok = await signIn(user, code);
    expect(ok.status, await ok.clone().text()).toBe(200);
    await expectProblem(await signIn(user, code), 401, "otp_invalid");
  });

  it("two concurrent sign-ins with one code: exactly one gets in", async () => {
    const { user, secret } = await withTwoFactor();
    await previousStep(user.id);
    const code = codeAt(secret);
    const answers = await Promise.all([signIn(user, code), signIn(user, code), signIn(user, code)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it("a recovery code works once, in any spelling; a wrong password never reaches the code check", async () => {
    const { user, recoveryCodes } = await withTwoFactor();
    const code = recoveryCodes[3]!;
    expect((await signIn(user, code.toUpperCase().replace("-", " "))).status).toBe(200);
    await expectProblem(await signIn(user, code), 401, "otp_invalid");
    await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: user.email, password: "wrong-password-here", otp: recoveryCodes[4] },
      }),
      401,
      "invalid_credentials",
    );
    expect((await signIn(user, recoveryCodes[4])).status).toBe(200);
  });

  it("codes are rate limited per account", async () => {
    const { user } = await withTwoFactor();
    const statuses = [];
    // The test bucket holds 4 code checks (vitest.config.ts); enabling spent one.
    for (let i = 0; i < 4; i++) statuses.push((await signIn(user, "111111")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("disable needs the password and a code; afterwards sign-in needs no code and old recovery codes are gone", async () => {
    const { user, secret, recoveryCodes } = await withTwoFactor();
    await previousStep(user.id);
    await expectProblem(
      await call("/api/v1/me/2fa/disable", {
        method: "POST",
        token: user.accessToken,
        json: { password: "not-my-password", code: codeAt(secret) },
      }),
      403,
      "invalid_credentials",
    );
    await expectProblem(
      await call("/api/v1/me/2fa/disable", {
        method: "POST",
        token: user.accessToken,
        json: { password: user.password, code: "000000" },
      }),
      422,
      "otp_invalid",
    );
    const off = await call("/api/v1/me/2fa/disable", {
      method: "POST",
      token: user.accessToken,
      json: { password: user.password, code: recoveryCodes[0] },
    });
    expect(off.status, await off.clone().text()).toBe(200);
    expect((await signIn(user)).status).toBe(200);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM recovery_codes WHERE user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    await waitForMail(user.email, /Two-factor sign-in is off/);
  });

  it("API keys can't manage 2FA", async () => {
    const user = await newUser();
    const created = (await (
      await call("/api/v1/api-keys", {
        method: "POST",
        token: user.accessToken,
        json: { name: "k", scopes: ["account:read"] },
      })
    ).json()) as { secret: string };
    await expectProblem(await call("/api/v1/me/2fa/setup", { method: "POST", token: created.secret }), 403);
  });
});
