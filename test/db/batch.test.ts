import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/app-env";
import { SYSTEM_AUDIT } from "../../src/audit/record";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../../src/db/batch";
import { getDb, rawInBatch } from "../../src/db/client";
import { bulkChange } from "../../src/media/bulk";
import { startFollowUp } from "../../src/organize/service";
import { newUser, type TestUser } from "../helpers/api";
import { racingD1 } from "../helpers/racing-d1";
import { uploadOk } from "../media/helpers";
import { mixedLibrary, organize, seed } from "../organize/helpers";

const db = getDb(env.DB);

async function scratchTable() {
  const name = `scratch_${crypto.randomUUID().replaceAll("-", "")}`;
  await env.DB.prepare(`CREATE TABLE ${name} (x INTEGER NOT NULL)`).run();
  const insert = (x: number) => rawInBatch(db, sql`INSERT INTO ${sql.identifier(name)} (x) VALUES (${x})`);
  const rows = async () =>
    (await env.DB.prepare(`SELECT x FROM ${name} ORDER BY x`).all<{ x: number }>()).results.map((r) => r.x);
  return { name, insert, rows };
}

describe("abortUnless: the one way to make a batch conditional", () => {
  it("lets the batch through when the condition holds", async () => {
    const t = await scratchTable();
    await db.batch([t.insert(1), abortUnless(db, "test-guard", previousChangedOneRow), t.insert(2)]);
    expect(await t.rows()).toEqual([1, 2]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM batch_guards").first<{ n: number }>())?.n).toBe(
      0,
    );
  });

  it("rolls back the whole batch, before and after the guard, and names its reason", async () => {
    const t = await scratchTable();
    const error = await db
      .batch([t.insert(1), abortUnless(db, "test-guard", sql`1 = 0`), t.insert(2)])
      .catch((e: unknown) => e);
    expect(isBatchAbort(error, "test-guard")).toBe(true);
    expect(isBatchAbort(error, "test")).toBe(false);
    expect(isBatchAbort(error, "other-guard")).toBe(false);
    expect(await t.rows()).toEqual([]);
  });

  it("fails closed when the condition is NULL, and refuses reasons that are not kebab-case words", async () => {
    const t = await scratchTable();
    const error = await db.batch([abortUnless(db, "null-guard", sql`NULL`), t.insert(1)]).catch((e) => e);
    expect(isBatchAbort(error, "null-guard")).toBe(true);
    expect(await t.rows()).toEqual([]);
    expect(() => abortUnless(db, "a reason: with spaces", sql`1`)).toThrow(/kebab|must match/);
  });

  it("organize: an apply that lost the race to another writer of the plan starts nothing (409 plan_busy)", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(12));
    const plan = await organize(user, { dryRun: true });
    expect(plan.status).toBe("succeeded");
    // Another request moves the plan on between this one's read and its batch.
    const racing = racingD1(() =>
      env.DB.prepare("UPDATE organize_plans SET active_job_id = 'job_someone_else' WHERE job_id = ?")
        .bind(plan.id)
        .run(),
    );
    const error = await startFollowUp(
      { ...env, DB: racing },
      principalOf(user),
      plan.id,
      "apply",
      new Date(),
      SYSTEM_AUDIT,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: "plan_busy" });
    const applies = await env.DB.prepare(
      "SELECT count(*) AS n FROM jobs WHERE user_id = ? AND json_extract(input, '$.action') = 'apply'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(applies?.n).toBe(0);
  });

  it("media: a bulk change where a file changed hands after the ownership check changes nothing (404)", async () => {
    const user = await newUser();
    const other = await newUser();
    const a = await uploadOk(user, "a", "a.txt");
    const b = await uploadOk(user, "b", "b.txt");
    const racing = racingD1(() =>
      env.DB.prepare("UPDATE media SET owner_id = ? WHERE id = ?").bind(other.id, b.id).run(),
    );
    const error = await bulkChange(
      getDb(racing),
      user.id,
      { ids: [a.id, b.id], action: "move", folder: "/moved" },
      new Date(),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404 });
    const folders = await env.DB.prepare("SELECT folder FROM media WHERE id IN (?, ?)")
      .bind(a.id, b.id)
      .all();
    expect(folders.results.map((r) => r.folder)).toEqual(["/", "/"]);
  });
});

function principalOf(user: TestUser): Principal {
  return {
    userId: user.id,
    role: "user",
    email: user.email,
    emailVerified: true,
    via: "access-token",
    sessionId: null,
    apiKeyId: null,
    scopes: ["*"],
  };
}
