import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { bootstrapAdmin, ensureBootstrapAdmin } from "../../src/auth/accounts";
import { getDb } from "../../src/db/client";
import { call, login, newUser } from "../helpers/api";

const db = getDb(env.DB);
const options = { freeCredits: 25, now: new Date() };
const secret = String(env.AUTH_SECRET);
const password = "Correct-Horse-Battery-9";
let counter = 0;
const freshEmail = () => `Operator${++counter}-${crypto.randomUUID().slice(0, 8)}@Example.com`;

const admins = async () =>
  (
    await env.DB.prepare("SELECT email, email_verified_at, name FROM users WHERE role = 'admin'").all<{
      email: string;
      email_verified_at: string | null;
      name: string | null;
    }>()
  ).results;

// The tests share this file's database: each starts from a deployment without an admin.
beforeEach(async () => {
  await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'admin'").run();
});

describe("first-admin bootstrap (ADMIN_EMAIL / ADMIN_PASSWORD)", () => {
  it("creates one verified admin with the free credits, who can sign in and use the admin API; then does nothing", async () => {
    const email = freshEmail();
    expect(await bootstrapAdmin(db, { email, password, secret }, options)).toBe("created");
    expect(await admins()).toEqual([
      { email: email.toLowerCase(), email_verified_at: options.now.toISOString(), name: "Administrator" },
    ]);
    const admin = await login(email, password);
    const me = (await (await call("/api/v1/me", { token: admin.accessToken })).json()) as {
      user: { role: string; credits: number };
    };
    expect(me.user).toMatchObject({ role: "admin", credits: 25 });
    expect((await call("/api/v1/admin/users", { token: admin.accessToken })).status).toBe(200);
    // No verification mail: nobody asked for one.
    const mails = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE payload LIKE ?")
      .bind(`%${admin.id}%`)
      .first<{ n: number }>();
    expect(mails?.n).toBe(0);

    expect(await bootstrapAdmin(db, { email: freshEmail(), password, secret }, options)).toBe("exists");
    expect(await admins()).toHaveLength(1);
  });

  it("two isolates bootstrapping at once make one admin", async () => {
    const email = freshEmail();
    const outcomes = await Promise.all([
      bootstrapAdmin(db, { email, password, secret }, options),
      bootstrapAdmin(db, { email, password, secret }, options),
    ]);
    expect(outcomes.sort()).toEqual(["created", "taken"]);
    expect(await admins()).toHaveLength(1);
  });

  it("an address that already has an account is not promoted, and a weak ADMIN_PASSWORD creates nothing", async () => {
    const user = await newUser();
    expect(await bootstrapAdmin(db, { email: user.email, password, secret }, options)).toBe("taken");
    const weak = freshEmail();
    expect(await bootstrapAdmin(db, { email: weak, password: "admin", secret }, options)).toBe("failed");
    expect(await admins()).toEqual([]);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE email = ?")
      .bind(weak.toLowerCase())
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
    // The API keeps answering: a bad bootstrap configuration never breaks requests.
    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
  });

  it("runs once per isolate, and only when both ADMIN_EMAIL and ADMIN_PASSWORD are set", async () => {
    const email = freshEmail();
    await ensureBootstrapAdmin(db, { ...env, ADMIN_EMAIL: email }, options);
    expect(await admins()).toEqual([]);
    await ensureBootstrapAdmin(db, { ...env, ADMIN_EMAIL: email, ADMIN_PASSWORD: password }, options);
    expect((await admins()).map((a) => a.email)).toEqual([email.toLowerCase()]);
    await env.DB.prepare("UPDATE users SET role = 'user' WHERE role = 'admin'").run();
    await ensureBootstrapAdmin(db, { ...env, ADMIN_EMAIL: freshEmail(), ADMIN_PASSWORD: password }, options);
    expect(await admins()).toEqual([]);
  });
});
