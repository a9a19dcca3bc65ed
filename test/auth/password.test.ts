import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CURRENT_PARAMS, hashPassword, verifyPassword } from "../../src/auth/password";
import { passwordProblem } from "../../src/auth/password-policy";
import { login, newUser } from "../helpers/api";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored.startsWith(`scrypt$${CURRENT_PARAMS.N}$8$5$`)).toBe(true);
    expect(await verifyPassword("correct horse battery", stored)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword("correct horse batterY", stored)).ok).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("asks for a re-hash when the stored parameters are older than today's", async () => {
    const old = await hashPassword("an older password", { N: 2 ** 10, r: 8, p: 1, keyLength: 32 });
    expect(await verifyPassword("an older password", old)).toEqual({ ok: true, needsRehash: true });
  });

  it("signing in with a hash made under older parameters stores one made under today's", async () => {
    const user = await newUser();
    const old = await hashPassword(user.password, { N: 2 ** 10, r: 8, p: 1, keyLength: 32 });
    const stored = () =>
      env.DB.prepare("SELECT password_hash AS hash FROM users WHERE id = ?")
        .bind(user.id)
        .first<{ hash: string }>();
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(old, user.id).run();
    await login(user.email, user.password);
    const fresh = (await stored())?.hash ?? "";
    expect(fresh.startsWith(`scrypt$${CURRENT_PARAMS.N}$8$5$`)).toBe(true);
    expect(await verifyPassword(user.password, fresh)).toEqual({ ok: true, needsRehash: false });
    await login(user.email, user.password);
  });

  it("treats a malformed stored hash as a mismatch, not a crash", async () => {
    expect(await verifyPassword("x", "pbkdf2$1$2")).toEqual({ ok: false, needsRehash: false });
    expect(await verifyPassword("x", "scrypt$0$8$1$AA$AA")).toEqual({ ok: false, needsRehash: false });
  });
});

describe("password policy", () => {
  it("enforces length, common passwords and the email", () => {
    expect(passwordProblem("short")).toMatch(/at least 8/);
    expect(passwordProblem("x".repeat(129))).toMatch(/at most 128/);
    expect(passwordProblem("a".repeat(64))).toBeNull();
    expect(passwordProblem("password123")).toMatch(/common/);
    expect(passwordProblem("Tangerine-Rocket-7")).toBeNull();
    expect(passwordProblem("qwertyuiop")).toMatch(/common/);
    expect(passwordProblem("me@example.com", "ME@example.com")).toMatch(/email/);
    expect(passwordProblem("a sound passphrase 2026")).toBeNull();
  });
});
