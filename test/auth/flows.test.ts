import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, login, newUser, sessionCookieFrom } from "../helpers/api";

describe("register and login", () => {
  it("registers, signs in with cookie and tokens, and /me shows role, credits and quota", async () => {
    const user = await newUser();
    for (const auth of [{ token: user.accessToken }, { cookie: user.cookie }]) {
      const res = await call("/api/v1/me", auth);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { user: Record<string, unknown> };
      expect(body.user).toMatchObject({
        id: user.id,
        email: user.email,
        role: "user",
        credits: Number(env.FREE_CREDITS),
        disabled: false,
      });
      expect(body.user.quota).toMatchObject({ usedBytes: 0, usedFiles: 0 });
    }
  });

  it("sets a __Host- cookie that is Secure, HttpOnly and SameSite=Lax", async () => {
    const user = await newUser();
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-edgecraft_session="))!;
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("answers registration of a taken email exactly like a new one", async () => {
    const user = await newUser();
    const again = await call("/api/v1/auth/register", {
      method: "POST",
      json: { email: user.email.toUpperCase(), password: "Another-Good-Pass-99" },
    });
    const fresh = await call("/api/v1/auth/register", {
      method: "POST",
      json: {
        email: `fresh-${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: "Another-Good-Pass-99",
      },
    });
    // Same status, same body, and no user id that could be checked against anything.
    expect(again.status).toBe(202);
    expect(fresh.status).toBe(202);
    const body = await again.text();
    expect(body).toBe(await fresh.text());
    expect(body).not.toContain("usr_");
    // The original password still works; the second registration changed nothing.
    await login(user.email, user.password);
    await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: user.email, password: "Another-Good-Pass-99" },
      }),
      401,
      "invalid_credentials",
    );
  });

  it("fails login alike for a wrong password and an unknown email", async () => {
    const user = await newUser();
    const wrong = await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: user.email, password: "not-the-password" },
      }),
      401,
      "invalid_credentials",
    );
    const unknown = await expectProblem(
      await call("/api/v1/auth/login", {
        method: "POST",
        json: { email: "nobody@example.com", password: "not-the-password" },
      }),
      401,
      "invalid_credentials",
    );
    expect(unknown.detail).toBe(wrong.detail);
  });

  it("refuses weak, common and too long passwords with a field error", async () => {
    for (const password of ["short", "password123", "x".repeat(129)]) {
      const body = await expectProblem(
        await call("/api/v1/auth/register", {
          method: "POST",
          json: { email: "weak@example.com", password },
        }),
        422,
        "weak_password",
      );
      expect(body.errors?.[0]?.path).toBe("password");
    }
    const long = await call("/api/v1/auth/register", {
      method: "POST",
      json: { email: "long@example.com", password: "a long passphrase ".repeat(4) },
    });
    expect(long.status).toBe(202);
  });

  it("rotates the session at login: the previous cookie stops working", async () => {
    const user = await newUser();
    const res = await call("/api/v1/auth/login", {
      method: "POST",
      json: { email: user.email, password: user.password },
      cookie: user.cookie,
    });
    expect(res.status).toBe(200);
    const fresh = sessionCookieFrom(res);
    expect(fresh).not.toBe(user.cookie);
    await expectProblem(await call("/api/v1/me", { cookie: user.cookie }), 401, "unauthorized");
    expect((await call("/api/v1/me", { cookie: fresh })).status).toBe(200);
  });
});
