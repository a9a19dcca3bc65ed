import { env } from "cloudflare:workers";
import type { BatchItem } from "drizzle-orm/batch";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { storageTransfers } from "../../src/db/storage-schema";
import { createJobStatements } from "../../src/jobs/create";
import { enqueueJobs } from "../../src/jobs/dispatch";
import { getJobRow } from "../../src/jobs/lifecycle";
import { storageConfig } from "../../src/storage/config";
import { storageImportJob } from "../../src/storage/import-job";
import { TRANSFERS_CLASS } from "../../src/storage/transfers";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, sha256, storedObjects, uploadOk } from "../media/helpers";
import { type JobJson, waitFinal } from "../organize/helpers";
import { connect, freshPrefix, inParallel, s3Stats, testBucket } from "./helpers";

/**
 * Import and export jobs against the real local S3 server: keys with spaces and unicode become
 * folders and names, bytes dedupe by SHA-256, a second run skips what is there, an import cut off
 * mid-page resumes without duplicates, and an export writes the folder's tree under a prefix.
 */
const db = getDb(env.DB);
const bytes = (text: string) => new TextEncoder().encode(text);

/** More objects than one delivery takes, so the import spans two pages and a checkpoint. */
const MANY = storageConfig(env).chunkSize + 5;

async function seedBucket(root: string) {
  const bucket = testBucket(root);
  const files: Record<string, string> = {
    "a.txt": "alpha",
    "sub dir/ü ñ.txt": "beta",
    "sub dir/same as a.txt": "alpha",
    "日本/写真.txt": "gamma",
  };
  for (let i = 0; i < MANY - 4; i++) files[`many/n${String(i).padStart(3, "0")}.txt`] = `file number ${i}`;
  await inParallel(Object.entries(files), 8, ([key, text]) =>
    bucket.put(key, bytes(text), { size: bytes(text).length }),
  );
  // A "folder" object as some tools make them: skipped, never a file.
  await bucket.put("empty folder/", new Uint8Array(0), { size: 0 });
  return files;
}

async function start(user: TestUser, connectionId: string, what: "import" | "export", body: unknown) {
  const res = await call(`/api/v1/storage/connections/${connectionId}/${what}`, {
    method: "POST",
    token: user.accessToken,
    json: body,
  });
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return (JSON.parse(text) as { job: JobJson }).job;
}

const run = async (user: TestUser, connectionId: string, what: "import" | "export", body: unknown) =>
  waitFinal(user, (await start(user, connectionId, what, body)).id, 60_000);

/** A user's transfer bytes in today's usage (uploaded: imports; served: exports). */
async function transferUsage(user: TestUser) {
  const row = await env.DB.prepare(
    "SELECT bytes_in AS inbound, bytes_out AS outbound, calls FROM usage_daily WHERE user_id = ? AND route_class = ?",
  )
    .bind(user.id, TRANSFERS_CLASS)
    .first<{ inbound: number; outbound: number; calls: number }>();
  return row ?? { inbound: 0, outbound: 0, calls: 0 };
}

async function libraryNames(user: TestUser) {
  const rows = await env.DB.prepare(
    "SELECT folder, name FROM media WHERE owner_id = ? AND trashed_at IS NULL ORDER BY folder, name",
  )
    .bind(user.id)
    .all<{ folder: string; name: string }>();
  return rows.results.map((r) => `${r.folder}|${r.name}`);
}

describe("import from a bucket", { timeout: 90_000 }, () => {
  it("imports every object (spaces, unicode, subfolders), dedupes bytes, and a second run skips them all", async () => {
    const user = await newUser();
    const root = freshPrefix("import");
    const files = await seedBucket(root);
    const connectionId = await connect(user, root);

    const first = await run(user, connectionId, "import", { prefix: "", folder: "/imported" });
    expect(first.status, JSON.stringify(first.error)).toBe("succeeded");
    expect(first.result).toMatchObject({ copied: MANY, skipped: 1, failed: 0, errors: [] });
    expect(first.progress).toMatchObject({ done: MANY + 1, percent: 100 });
    const names = await libraryNames(user);
    expect(names).toHaveLength(MANY);
    expect(names).toContain("/imported|a.txt");
    expect(names).toContain("/imported/sub dir|ü ñ.txt");
    expect(names).toContain("/imported/日本|写真.txt");
    const beta = await env.DB.prepare("SELECT size FROM media WHERE owner_id = ? AND folder = ? AND name = ?")
      .bind(user.id, "/imported/sub dir", "ü ñ.txt")
      .first<{ size: number }>();
    expect(beta?.size).toBe(4);
    // "alpha" twice, one blob and one object.
    expect(await storedObjects(await sha256(bytes("alpha")))).toBe(1);
    const usage = await counts(user.id);
    expect(usage.usedFiles).toBe(MANY);
    const imported = Object.values(files).reduce((n, t) => n + bytes(t).length, 0);
    expect(usage.usedBytes).toBe(imported);
    // The bytes read in count as uploaded in the user's usage, once, over both pages.
    expect(await transferUsage(user)).toEqual({ inbound: imported, outbound: 0, calls: 0 });
    const report = await call("/api/v1/me/usage?days=1", { token: user.accessToken });
    const { totals, days } = await report.json<{
      totals: { bytesUploaded: number };
      days: { apiCallsByClass: Record<string, number> }[];
    }>();
    expect(totals.bytesUploaded).toBeGreaterThanOrEqual(imported);
    expect(days.at(-1)!.apiCallsByClass).not.toHaveProperty(TRANSFERS_CLASS);

    const again = await run(user, connectionId, "import", { prefix: "", folder: "/imported" });
    expect(again.result).toMatchObject({ copied: 0, skipped: MANY + 1, failed: 0 });
    expect(await libraryNames(user)).toEqual(names);
    expect(await counts(user.id)).toEqual(usage);
    expect((await transferUsage(user)).inbound).toBe(imported); // nothing copied, nothing counted

    // A sub-prefix alone, into another folder: only its objects, paths relative to the prefix.
    const part = await run(user, connectionId, "import", { prefix: "sub dir/", folder: "/part" });
    expect(part.result).toMatchObject({ copied: 2, skipped: 0 });
    expect((await libraryNames(user)).filter((n) => n.startsWith("/part"))).toEqual([
      "/part|same as a.txt",
      "/part|ü ñ.txt",
    ]);
  });

  it("an import cut off mid-page resumes from its last checkpoint without duplicates", async () => {
    const user = await newUser();
    const root = freshPrefix("resume");
    await seedBucket(root);
    const connectionId = await connect(user, root);
    // The job and its transfer row, made as the API makes them but not queued yet.
    const created = createJobStatements(
      db,
      env,
      { type: storageImportJob, userId: user.id, input: { connectionId } },
      new Date(),
    );
    await db.batch([
      ...(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
      db.insert(storageTransfers).values({
        jobId: created.id,
        ownerId: user.id,
        connectionId,
        direction: "import",
        prefix: "",
        folder: "/resumed",
      }),
    ]);
    // A first delivery dies at its first stage boundary (5 objects in, mid-page): files committed, no checkpoint.
    let steps = 0;
    const job = (await getJobRow(db, created.id))!;
    await expect(
      storageImportJob.handler({
        env,
        db,
        claim: { job, owner: "crashing-consumer", attempt: 1, failedBefore: 0 },
        input: { connectionId },
        now: () => new Date(),
        step: async () => {
          if (++steps === 1) throw new Error("the isolate went away");
        },
      }),
    ).rejects.toThrow("the isolate went away");
    const cutOff = await libraryNames(user);
    // Keys in order: "a.txt", "empty folder/" (skipped), then files. The step after five objects
    // failed: four files were imported by then, and at most `concurrency − 1` more were in flight and
    // finished — nothing new started after the failure.
    const { concurrency } = storageConfig(env);
    expect(cutOff.length).toBeGreaterThanOrEqual(4);
    expect(cutOff.length).toBeLessThanOrEqual(4 + concurrency - 1);
    const transfer = await env.DB.prepare("SELECT cursor, done FROM storage_transfers WHERE job_id = ?")
      .bind(created.id)
      .first<{ cursor: string | null; done: number }>();
    expect(transfer).toEqual({ cursor: null, done: 0 });

    // The queue delivers the job again: it starts at the last checkpoint (the beginning) and skips what is there.
    await enqueueJobs(env, db, created.delivery, new Date());
    const done = await waitFinal(user, created.id, 60_000);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.result).toMatchObject({
      copied: MANY - cutOff.length,
      skipped: cutOff.length + 1,
      failed: 0,
    });
    const names = await libraryNames(user);
    expect(names).toHaveLength(MANY);
    expect(new Set(names).size).toBe(MANY);
    expect(names.filter((n) => / \(\d+\)\.txt$/.test(n))).toEqual([]);
    expect((await counts(user.id)).usedFiles).toBe(MANY);
  });

  it("objects with the same bytes for one folder: the first is imported, the others skipped, as in a serial run", async () => {
    const user = await newUser();
    const root = freshPrefix("same-bytes");
    const bucket = testBucket(root);
    const keys = ["x/1.txt", "x/2.txt", "x/3.txt", "x/4.txt", "x/5.txt", "y/1.txt"];
    await inParallel(keys, 8, (key) => bucket.put(key, bytes("twin"), { size: 4 }));
    await inParallel(["x/other.txt", "x/more.txt"], 8, (key) =>
      bucket.put(key, bytes(key), { size: key.length }),
    );
    const connectionId = await connect(user, root);

    const job = await run(user, connectionId, "import", { prefix: "", folder: "/twins" });
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.result, JSON.stringify(job.result)).toMatchObject({ copied: 4, skipped: 4, failed: 0 });
    // the first key of each folder holds the bytes (keys list in order; a lane keeps that order)
    expect(await libraryNames(user)).toEqual([
      "/twins/x|1.txt",
      "/twins/x|more.txt",
      "/twins/x|other.txt",
      "/twins/y|1.txt",
    ]);
  });

  it("a re-import of an unchanged prefix reads no object; a changed object, or one whose file left the folder, is read again", async () => {
    const user = await newUser();
    const root = freshPrefix("etag-skip");
    const bucket = testBucket(root);
    // More objects than one delivery takes: the hashes of both pages are recorded.
    const keys = Array.from({ length: storageConfig(env).chunkSize + 2 }, (_, i) => `set/k${i}.txt`);
    await inParallel(keys, 8, (key) =>
      bucket.put(key, bytes(`first ${key}`), { size: bytes(`first ${key}`).length }),
    );
    const connectionId = await connect(user, root);
    const gets = async () => (await s3Stats(root)).GET ?? 0;

    const first = await run(user, connectionId, "import", { prefix: "", folder: "/e" });
    expect(first.result, JSON.stringify(first.error)).toMatchObject({ copied: keys.length, failed: 0 });
    const afterFirst = await gets();
    expect(afterFirst).toBe(keys.length);

    const again = await run(user, connectionId, "import", { prefix: "", folder: "/e" });
    expect(again.result).toMatchObject({ copied: 0, skipped: keys.length, failed: 0 });
    expect(await gets(), "no object body read on an unchanged re-import").toBe(afterFirst);

    // k0 changes in the bucket; k1's file is moved to the trash: both are read and imported again.
    await bucket.put("set/k0.txt", bytes("changed bytes"), { size: 13 });
    const k1 = await env.DB.prepare("SELECT id FROM media WHERE owner_id = ? AND name = ?")
      .bind(user.id, "k1.txt")
      .first<{ id: string }>();
    expect(
      (await call(`/api/v1/media/${k1!.id}`, { method: "DELETE", token: user.accessToken })).status,
    ).toBe(204);
    const third = await run(user, connectionId, "import", { prefix: "", folder: "/e" });
    expect(third.result).toMatchObject({ copied: 2, skipped: keys.length - 2, failed: 0 });
    expect(await gets()).toBe(afterFirst + 2);
    const changed = await env.DB.prepare(
      "SELECT count(*) AS n FROM media WHERE owner_id = ? AND folder = '/e/set' AND sha256 = ? AND trashed_at IS NULL",
    )
      .bind(user.id, await sha256(bytes("changed bytes")))
      .first<{ n: number }>();
    expect(changed?.n).toBe(1);
  });

  it("someone else's connection is a 404; a bad prefix a 422; nothing is queued", async () => {
    const owner = await newUser();
    const other = await newUser();
    const connectionId = await connect(owner, freshPrefix("foreign"));
    await expectProblem(
      await call(`/api/v1/storage/connections/${connectionId}/import`, {
        method: "POST",
        token: other.accessToken,
        json: { prefix: "", folder: "/x" },
      }),
      404,
    );
    await expectProblem(
      await call(`/api/v1/storage/connections/${connectionId}/import`, {
        method: "POST",
        token: owner.accessToken,
        json: { prefix: "p".repeat(600), folder: "/x" },
      }),
      422,
    );
    const jobs = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE user_id IN (?, ?)")
      .bind(owner.id, other.id)
      .first<{ n: number }>();
    expect(jobs!.n).toBe(0);
  });
});

describe("export to a bucket", { timeout: 90_000 }, () => {
  it("writes a folder's tree under a prefix, or a selection; a second run writes the same keys", async () => {
    const user = await newUser();
    const root = freshPrefix("export");
    const connectionId = await connect(user, root);
    const a = await uploadOk(user, "alpha bytes", "a b.txt", { folder: "/out" });
    await uploadOk(user, "beta bytes", "ü.txt", { folder: "/out/sub dir" });
    const elsewhere = await uploadOk(user, "gamma bytes", "c.txt", { folder: "/other" });

    const job = await run(user, connectionId, "export", { folder: "/out", prefix: "backup" });
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.result).toMatchObject({ copied: 2, failed: 0, bytes: 21 });
    expect(await transferUsage(user)).toEqual({ inbound: 0, outbound: 21, calls: 0 });
    const bucket = testBucket(root);
    const keys = async () => (await bucket.list("")).items.map((i) => i.key);
    expect(await keys()).toEqual(["backup/a b.txt", "backup/sub dir/ü.txt"]);
    expect(await new Response((await bucket.get("backup/sub dir/ü.txt"))!.body).text()).toBe("beta bytes");

    const again = await run(user, connectionId, "export", { folder: "/out", prefix: "backup" });
    expect(again.result).toMatchObject({ copied: 2, failed: 0 });
    expect((await transferUsage(user)).outbound).toBe(42); // written again, served again
    expect(await keys()).toEqual(["backup/a b.txt", "backup/sub dir/ü.txt"]);

    const picked = await run(user, connectionId, "export", {
      prefix: "picked/",
      mediaIds: [a.id, elsewhere.id],
    });
    expect(picked.result).toMatchObject({ copied: 2 });
    expect((await keys()).filter((k) => k.startsWith("picked/"))).toEqual([
      "picked/other/c.txt",
      "picked/out/a b.txt",
    ]);
  });
});
