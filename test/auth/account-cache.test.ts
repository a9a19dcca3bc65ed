import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { readAccount } from "../../src/auth/account-cache";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { readMark, watchWrites, writtenSince } from "../../src/db/write-watch";
import { call, newUser, type TestUser } from "../helpers/api";
import { userRow } from "../helpers/jobs";
import { uploadOk } from "../media/helpers";

// GET /me answers from what this isolate last read of the account for SESSION_CACHE_SECONDS, unless
// this isolate wrote to D1 since (ADR 0013 step 10).
const boundMs = getConfig(env).sessionCacheSeconds * 1000;

interface Me {
  user: { credits: number; quota: { usedBytes: number; usedFiles: number } };
}
const me = async (user: TestUser) => {
  const res = await call("/api/v1/me", { token: user.accessToken });
  expect(res.status).toBe(200);
  return ((await res.json()) as Me).user;
};

/** A grant written straight to D1, as another isolate (or a consumer elsewhere) would. */
const grantElsewhere = (userId: string, amount: number) =>
  env.DB.prepare(
    "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, created_at) VALUES (?, ?, 'grant', ?, 'test', ?)",
  )
    .bind(`crd_${crypto.randomUUID()}`, userId, amount, new Date().toISOString())
    .run();

describe("GET /me and the isolate's account cache (#19)", () => {
  it("a credit grant and an upload made through this isolate show at once", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const before = await me(user);
    expect(before.quota.usedFiles).toBe(0);

    const grant = await call(`/api/v1/admin/users/${user.id}/credits`, {
      method: "POST",
      token: admin.accessToken,
      json: { amount: 7, reason: "cache test" },
    });
    expect(grant.status).toBe(200);
    expect((await me(user)).credits).toBe(before.credits + 7);

    const item = await uploadOk(user, "a few bytes of text", "note.txt");
    const afterUpload = await me(user);
    expect(afterUpload.quota).toMatchObject({ usedFiles: 1, usedBytes: item.size });
  });

  it("a change another isolate made (written to D1 directly) shows within SESSION_CACHE_SECONDS", async () => {
    expect(boundMs).toBeGreaterThan(0);
    const user = await newUser();
    const start = (await me(user)).credits;
    const cachedBy = Date.now();
    await grantElsewhere(user.id, 5);
    // Until the bound the isolate may answer from what it read; a request sent after it, never.
    for (;;) {
      const sent = Date.now();
      const { credits } = await me(user);
      if (credits === start + 5) break;
      expect(credits).toBe(start);
      expect(sent).toBeLessThan(cachedBy + boundMs);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  /** The account through the isolate's cache, held for `seconds`. */
  const read = (userId: string, seconds = 60) =>
    readAccount(getDb(env.DB), userId, { seconds, nowMs: Date.now() });

  it("reads D1 once while current: a change it can't see is served from the cache, and this isolate's next write ends that", async () => {
    const userId = await userRow(10);
    expect((await read(userId))?.credits).toBe(10);
    await grantElsewhere(userId, 5);
    expect((await read(userId))?.credits).toBe(10);
    // Any write this isolate makes — here one that changes no row of this user (nor any row).
    await getDb(env.DB).run(sql`UPDATE users SET updated_at = updated_at WHERE id = 'nobody'`);
    expect((await read(userId))?.credits).toBe(15);
  });

  it("a read that overlapped a write of this isolate is not served again", async () => {
    const userId = await userRow(3);
    const reading = read(userId);
    await getDb(env.DB).run(sql`UPDATE users SET name = 'raced' WHERE id = ${userId}`);
    await reading;
    await grantElsewhere(userId, 4);
    expect(await read(userId)).toMatchObject({ name: "raced", credits: 7 });
  });

  it("0 seconds turns it off", async () => {
    const userId = await userRow(1);
    expect((await read(userId, 0))?.credits).toBe(1);
    await grantElsewhere(userId, 1);
    expect((await read(userId, 0))?.credits).toBe(2);
  });
});

describe("the D1 write watch", () => {
  const watched = watchWrites(env.DB);

  it("counts a write once it has ended, whichever way it was sent, and never a SELECT", async () => {
    let mark = readMark();
    await watched.prepare("SELECT 1").first();
    await watched.prepare("  select ? AS n").bind(2).all();
    expect(writtenSince(mark)).toBe(false);

    const writes: Array<() => Promise<unknown>> = [
      () => watched.prepare("UPDATE users SET name = name WHERE id = ?").bind("nobody").run(),
      () => watched.prepare("UPDATE users SET name = name WHERE id = 'nobody' RETURNING id").all(),
      () => watched.prepare("UPDATE users SET name = name WHERE id = 'nobody' RETURNING id").raw(),
      () => watched.prepare("UPDATE users SET name = name WHERE id = 'nobody' RETURNING id").first(),
      () => watched.batch([watched.prepare("UPDATE users SET name = name WHERE id = ?").bind("nobody")]),
      () => watched.batch([watched.prepare("SELECT 1"), env.DB.prepare("SELECT 2")]),
      () => watched.exec("UPDATE users SET name = name WHERE id = 'nobody'"),
      () => watched.withSession().batch([watched.prepare("DELETE FROM users WHERE id = 'nobody'")]),
    ];
    for (const write of writes) {
      mark = readMark();
      const pending = write();
      expect(writtenSince(mark)).toBe(false);
      await pending;
      expect(writtenSince(mark)).toBe(true);
    }
  });

  it("counts a write that failed", async () => {
    const mark = readMark();
    await expect(watched.prepare("INSERT INTO no_such_table VALUES (1)").run()).rejects.toThrow();
    expect(writtenSince(mark)).toBe(true);
  });
});
