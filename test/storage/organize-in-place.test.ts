import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { describe, expect, it } from "vitest";
import { getDb, rawInBatch } from "../../src/db/client";
import { createJobStatements } from "../../src/jobs/create";
import { enqueueJobs } from "../../src/jobs/dispatch";
import { getJobRow } from "../../src/jobs/lifecycle";
import { organizeJob } from "../../src/organize/job";
import { storageConfig } from "../../src/storage/config";
import type { StorageProvider } from "../../src/storage/provider";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { allFiles, type FileJson, followUp, type JobJson, post, waitFinal } from "../organize/helpers";
import { connect, freshPrefix, inParallel, testBucket } from "./helpers";

/**
 * Organize in place (`POST /organize` with `source`) against the real local S3 server: a dry run
 * plans without touching the bucket, apply moves each object (server-side copy, then delete) to
 * where the rules send it, rollback puts every key back byte for byte, and a delivery that dies
 * between recording its intent, copying and deleting is finished by the next one with each object
 * moved exactly once.
 */
const db = getDb(env.DB);
const bytes = (text: string) => new TextEncoder().encode(text);
const TEMPLATE = "/sorted/{category}";
/** More files than one bucket chunk, so apply and rollback span deliveries. */
const EXTRA = storageConfig(env).chunkSize + 2;

async function seed(root: string) {
  const bucket = testBucket(root);
  const files: Record<string, string> = {
    "inbox/a b.jpg": "jpeg one",
    "inbox/ü ñ.png": "png bytes",
    "inbox/日本/写真.jpg": "photo bytes",
    "inbox/report.pdf": "pdf bytes",
    // Outside the prefix: never planned, never moved.
    "keep/x.jpg": "outside",
    // Where "a b.jpg" would go: taken, so it is renamed, and this one is left alone.
    "sorted/Images/a b.jpg": "already there",
  };
  for (let i = 0; i < EXTRA; i++) files[`inbox/many/n${String(i).padStart(2, "0")}.txt`] = `text ${i}`;
  await inParallel(Object.entries(files), 8, ([key, text]) =>
    bucket.put(key, bytes(text), { size: bytes(text).length }),
  );
  await bucket.put("inbox/empty folder/", new Uint8Array(0), { size: 0 });
  return { bucket, planned: Object.keys(files).filter((k) => k.startsWith("inbox/")) };
}

/** Every key under the root with its bytes as text. */
async function contents(bucket: StorageProvider): Promise<Record<string, string>> {
  const keys: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await bucket.list("", { cursor });
    keys.push(...page.items.map((o) => o.key));
    cursor = page.cursor;
  } while (cursor);
  const out: Record<string, string> = {};
  await inParallel(keys, 8, async (key) => {
    out[key] = await new Response((await bucket.get(key))!.body).text();
  });
  return out;
}

const keyOfPath = (path: string) => path.replace(/^\//, "");

async function planInPlace(user: TestUser, body: Record<string, unknown>) {
  const res = await post(user, "/organize", { template: TEMPLATE, dryRun: true, ...body });
  const text = await res.text();
  expect(res.status, text).toBe(202);
  const job = await waitFinal(user, (JSON.parse(text) as { job: JobJson }).job.id, 60_000);
  expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
  return job;
}

/** After an apply: each planned object sits at its new key with its bytes, and nowhere else. */
function expectMoved(before: Record<string, string>, after: Record<string, string>, records: FileJson[]) {
  const moved = new Map(records.map((r) => [r.mediaId, keyOfPath(r.newPath!)]));
  const expected: Record<string, string> = {};
  for (const [key, text] of Object.entries(before)) expected[moved.get(key) ?? key] = text;
  expect(after).toEqual(expected);
}

describe("organize a bucket prefix in place", { timeout: 120_000 }, () => {
  it("plans without touching the bucket, applies as copy + delete, and rolls every key back byte-identical", async () => {
    const user = await newUser();
    const root = freshPrefix("organize");
    const { bucket, planned } = await seed(root);
    const connectionId = await connect(user, root);
    const before = await contents(bucket);

    const plan = await planInPlace(user, { source: { connectionId, prefix: "inbox" } });
    expect(plan.result).toMatchObject({ files: planned.length, state: "planned" });
    const records = await allFiles(user, plan.id);
    expect(records.map((r) => r.mediaId).sort()).toEqual([...planned].sort());
    const byKey = new Map(records.map((r) => [r.mediaId, r]));
    expect(byKey.get("inbox/a b.jpg")).toMatchObject({
      originalPath: "/inbox/a b.jpg",
      newPath: "/sorted/Images/a b (2).jpg",
      category: "Images",
      action: "move",
      status: "planned",
      sha256: "",
    });
    expect(byKey.get("inbox/日本/写真.jpg")?.newPath).toBe("/sorted/Images/写真.jpg");
    expect(byKey.get("inbox/ü ñ.png")?.newPath).toBe("/sorted/Images/ü ñ.png");
    expect(records.every((r) => r.status === "planned" && r.newPath !== null)).toBe(true);
    expect(await contents(bucket)).toEqual(before);

    const applied = await followUp(user, plan.id, "apply");
    expect(applied.status, JSON.stringify(applied.error)).toBe("succeeded");
    expect(applied.result).toMatchObject({ state: "applied", statuses: { moved: planned.length } });
    const after = await contents(bucket);
    expectMoved(before, after, records);
    expect(after["sorted/Images/a b (2).jpg"]).toBe("jpeg one");
    expect(after["sorted/Images/a b.jpg"]).toBe("already there");
    expect(after["keep/x.jpg"]).toBe("outside");
    expect(after["inbox/empty folder/"]).toBe("");

    const rolledBack = await followUp(user, plan.id, "rollback");
    expect(rolledBack.status, JSON.stringify(rolledBack.error)).toBe("succeeded");
    expect(rolledBack.result).toMatchObject({
      state: "rolled-back",
      statuses: { "rolled-back": planned.length },
    });
    expect(await contents(bucket)).toEqual(before);
  });

  it("skips what changed since the plan and never overwrites: a replaced object, a taken destination, an occupied old key", async () => {
    const user = await newUser();
    const root = freshPrefix("organize-changed");
    const { bucket } = await seed(root);
    const connectionId = await connect(user, root);
    const plan = await planInPlace(user, { source: { connectionId, prefix: "inbox/" } });
    // After planning: one object rewritten, one destination taken by someone else.
    await bucket.put("inbox/report.pdf", bytes("new pdf"), { size: 7 });
    await bucket.put("sorted/Images/ü ñ.png", bytes("someone's"), { size: 9 });

    const applied = await followUp(user, plan.id, "apply");
    expect(applied.status, JSON.stringify(applied.error)).toBe("succeeded");
    const records = new Map((await allFiles(user, plan.id)).map((r) => [r.mediaId, r]));
    expect(records.get("inbox/report.pdf")).toMatchObject({ status: "skipped", reason: "changed" });
    expect(records.get("inbox/ü ñ.png")).toMatchObject({ status: "skipped", reason: "conflict" });
    const after = await contents(bucket);
    expect(after["inbox/report.pdf"]).toBe("new pdf");
    expect(after["inbox/ü ñ.png"]).toBe("png bytes");
    expect(after["sorted/Images/ü ñ.png"]).toBe("someone's");
    expect(after["sorted/Images/写真.jpg"]).toBe("photo bytes");

    // Before the rollback, a new object at one old key: that file stays where the plan put it.
    await bucket.put("inbox/日本/写真.jpg", bytes("a new photo"), { size: 11 });
    const rolledBack = await followUp(user, plan.id, "rollback");
    expect(rolledBack.status, JSON.stringify(rolledBack.error)).toBe("succeeded");
    expect((await allFiles(user, plan.id)).find((r) => r.mediaId === "inbox/日本/写真.jpg")).toMatchObject({
      status: "rollback-skipped",
      reason: "occupied",
    });
    const back = await contents(bucket);
    expect(back["inbox/日本/写真.jpg"]).toBe("a new photo");
    expect(back["sorted/Images/写真.jpg"]).toBe("photo bytes");
    expect(back["inbox/a b.jpg"]).toBe("jpeg one");
  });

  it("a delivery that dies after recording its moves is finished by the next: each object moved exactly once", async () => {
    const user = await newUser();
    const root = freshPrefix("organize-crash");
    const { bucket, planned } = await seed(root);
    const connectionId = await connect(user, root);
    const before = await contents(bucket);
    const plan = await planInPlace(user, { source: { connectionId, prefix: "inbox/" } });
    const records = await allFiles(user, plan.id);

    // The apply job as POST /jobs/{id}/apply makes it, not queued yet.
    const created = createJobStatements(
      db,
      env,
      { type: organizeJob, userId: user.id, input: { action: "apply", planJobId: plan.id } },
      new Date(),
    );
    await db.batch([
      ...(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
      rawInBatch(
        db,
        sql`UPDATE organize_plans SET state = 'applying', active_job_id = ${created.id}, apply_job_id = ${created.id},
          stage = 'apply', cursor = '' WHERE job_id = ${plan.id}`,
      ),
    ]);
    // The first delivery records its chunk's intent, then dies at the next stage boundary.
    let steps = 0;
    const job = (await getJobRow(db, created.id))!;
    await expect(
      organizeJob.handler({
        env,
        db,
        claim: { job, owner: "crashing-consumer", attempt: 1, failedBefore: 0 },
        input: { action: "apply", planJobId: plan.id },
        now: () => new Date(),
        step: async () => {
          if (++steps === 1) throw new Error("the isolate went away");
        },
      }),
    ).rejects.toThrow("the isolate went away");
    const moving = await env.DB.prepare(
      "SELECT media_id, new_folder, new_name FROM organize_files WHERE job_id = ? AND status = 'moving' ORDER BY media_id",
    )
      .bind(plan.id)
      .all<{ media_id: string; new_folder: string; new_name: string }>();
    expect(moving.results).toHaveLength(storageConfig(env).chunkSize);
    expect(await contents(bucket)).toEqual(before);
    // Where else a delivery may die: after a copy (both keys hold it), after the delete (only the new one).
    const [copied, deleted] = moving.results;
    const dest = (r: { new_folder: string; new_name: string }) => `${r.new_folder.slice(1)}/${r.new_name}`;
    await bucket.copy(copied!.media_id, dest(copied!));
    await bucket.copy(deleted!.media_id, dest(deleted!));
    await bucket.delete(deleted!.media_id);

    await enqueueJobs(env, db, created.delivery, new Date());
    const done = await waitFinal(user, created.id, 60_000);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.result).toMatchObject({ state: "applied", statuses: { moved: planned.length } });
    expectMoved(before, await contents(bucket), records);
  });

  it("refuses another user's connection (404), a key without storage:write (403), an empty prefix and plans that need content (422)", async () => {
    const owner = await newUser();
    const other = await newUser();
    const root = freshPrefix("organize-refused");
    await seed(root);
    const connectionId = await connect(owner, root);
    const source = { connectionId, prefix: "inbox/" };

    await expectProblem(await post(other, "/organize", { source }), 404, "not_found");
    await expectProblem(
      await post(owner, "/organize", { source: { connectionId: "stc_nope", prefix: "" } }),
      404,
      "not_found",
    );
    const key = await call("/api/v1/api-keys", {
      method: "POST",
      token: owner.accessToken,
      json: { name: "organizer", scopes: ["jobs:write", "jobs:read"] },
    });
    expect(key.status).toBe(201);
    const { secret } = (await key.json()) as { secret: string };
    await expectProblem(
      await call("/api/v1/organize", { method: "POST", token: secret, json: { source } }),
      403,
    );

    await expectProblem(
      await post(owner, "/organize", { source: { connectionId, prefix: "no such prefix/" } }),
      422,
      "storage_prefix_empty",
    );
    await expectProblem(
      await post(owner, "/organize", { source: { connectionId, prefix: "inbox/empty folder/" } }),
      422,
      "storage_prefix_empty",
    );
    for (const body of [{ kind: "dedupe" }, { match: "pixels" }, { duplicates: "trash" }])
      await expectProblem(
        await post(owner, "/organize", { source, ...body }),
        422,
        "bucket_content_unsupported",
      );
    await expectProblem(
      await post(owner, "/organize", { source, conflict: "keep-both" }),
      422,
      "conflict_policy_unsupported",
    );
    await expectProblem(
      await post(owner, "/organize", { source, folder: "/inbox" }),
      422,
      "folder_with_source",
    );
    const jobs = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE user_id IN (?, ?)")
      .bind(owner.id, other.id)
      .first<{ n: number }>();
    expect(jobs!.n).toBe(0);
  });
});
