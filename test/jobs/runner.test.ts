import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { creditBalance } from "../../src/auth/accounts";
import { getDb, rawInBatch } from "../../src/db/client";
import { createJobStatements } from "../../src/jobs/create";
import { handleDeadLetters } from "../../src/jobs/dead-letters";
import { claimJob, LEASE_SECONDS, requestCancel, succeedJob } from "../../src/jobs/lifecycle";
import { progressObject } from "../../src/jobs/progress";
import { backoffSeconds } from "../../src/jobs/recovery";
import { createJobRegistry, defineJobType, type JobHandler } from "../../src/jobs/registry";
import { PermanentJobError, runJobBatch } from "../../src/jobs/runner";
import { userRow } from "../helpers/jobs";

const db = getDb(env.DB);

/** A job type whose handler each test supplies; its input says what it costs. */
const testInput = z.object({ test: z.literal(true), cost: z.number() });
function testJob(handler: JobHandler<z.infer<typeof testInput>> = async () => ({ result: {} })) {
  return defineJobType({
    name: "test-job",
    input: testInput,
    result: z.record(z.string(), z.unknown()),
    queue: (e) => e.VECTORIZE_QUEUE,
    cost: (input) => input.cost,
    handler,
  });
}

async function newJob(userId: string, cost = 2): Promise<string> {
  const { id, statements } = createJobStatements(
    db,
    env,
    { type: testJob(), userId, input: { test: true, cost } },
    new Date(),
  );
  await db.batch(statements as [never, ...never[]]);
  return id;
}

async function deliver(
  jobId: string,
  handler: JobHandler,
  attempts = 1,
  options: { clock?: () => Date; body?: unknown } = {},
) {
  const batch = createMessageBatch("edgecraft-vectorize-dev", [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: options.body ?? { jobId } },
  ]);
  const ctx = createExecutionContext();
  await runJobBatch(batch, env, {
    registry: createJobRegistry([testJob(handler)]),
    retryBaseSeconds: 10,
    clock: options.clock,
  });
  return getQueueResult(batch, ctx);
}

/**
 * The delivery ended its job as failed for good: acked, not retried, the error stored, every credit
 * of a 10-credit user back, and watchers told.
 */
async function expectFailedForGood(
  result: Awaited<ReturnType<typeof deliver>>,
  jobId: string,
  userId: string,
  error: { error_code: string; error_message: string },
) {
  expect(result.explicitAcks).toHaveLength(1);
  expect(result.retryMessages).toHaveLength(0);
  expect(await row(jobId)).toMatchObject({ status: "failed", ...error });
  expect(await creditBalance(db, userId)).toBe(10);
  expect((await progressObject(env, jobId).snapshot())?.type).toBe("failed");
}

/** A moment after `claims` consecutive leases from `start` have each run out. */
const afterLeases = (start: Date, claims: number) =>
  new Date(start.getTime() + claims * (LEASE_SECONDS + 1) * 1000);

const row = (jobId: string) =>
  env.DB.prepare("SELECT * FROM jobs WHERE id = ?").bind(jobId).first<Record<string, unknown>>();
const ledger = (jobId: string) =>
  env.DB.prepare("SELECT kind, amount FROM credit_ledger WHERE ref = ? ORDER BY created_at, kind")
    .bind(jobId)
    .all<{ kind: string; amount: number }>();

describe("job runner", () => {
  it("runs a job once, commits its credits once, and ignores a duplicate delivery", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 2);
    expect(await creditBalance(db, userId)).toBe(8);
    let runs = 0;
    const handler: JobHandler = async (ctx) => {
      runs += 1;
      await ctx.step({ stage: "working", done: 1, total: 2, percent: 50 });
      return { result: { ok: true } };
    };
    const first = await deliver(jobId, handler);
    expect(first.explicitAcks).toHaveLength(1);
    const second = await deliver(jobId, handler);
    expect(second.explicitAcks).toHaveLength(1);
    expect(runs).toBe(1);
    expect(await row(jobId)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect((await ledger(jobId)).results.map((r) => r.kind).sort()).toEqual(["commit", "reserve"]);
    expect(await creditBalance(db, userId)).toBe(8);
    const final = await progressObject(env, jobId).snapshot();
    expect(final?.type).toBe("succeeded");
  });

  it("retries a transient failure with backoff, then succeeds: one result, one charge, every attempt recorded", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 3);
    let calls = 0;
    const flaky: JobHandler = async () => {
      calls += 1;
      if (calls === 1) throw new Error("R2 hiccup");
      return { result: { call: calls } };
    };
    const first = await deliver(jobId, flaky, 1);
    // (getQueueResult does not report the delay; backoffSeconds is checked on its own below.)
    expect(first.retryMessages).toHaveLength(1);
    expect(first.explicitAcks).toHaveLength(0);
    expect(await row(jobId)).toMatchObject({ status: "queued", attempts: 1 });
    const second = await deliver(jobId, flaky, 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await row(jobId)).toMatchObject({
      status: "succeeded",
      attempts: 2,
      result: JSON.stringify({ call: 2 }),
    });
    const attempts = await env.DB.prepare(
      "SELECT attempt, outcome, error_message FROM task_executions WHERE job_id = ? ORDER BY attempt",
    )
      .bind(jobId)
      .all();
    expect(attempts.results).toEqual([
      { attempt: 1, outcome: "retry", error_message: "R2 hiccup" },
      { attempt: 2, outcome: "succeeded", error_message: null },
    ]);
    expect(await creditBalance(db, userId)).toBe(7);
  });

  it("fails a permanent error at once, without retry, and releases the credits", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 4);
    const result = await deliver(jobId, async () => {
      throw new PermanentJobError("corrupt_image", "The PNG is truncated.");
    });
    await expectFailedForGood(result, jobId, userId, {
      error_code: "corrupt_image",
      error_message: "The PNG is truncated.",
    });
  });

  it("the dead-letter consumer fails the job with a readable reason and refunds it, once", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 5);
    await deliver(jobId, async () => {
      throw new Error("timeout talking to R2");
    });
    const dlq = createMessageBatch("edgecraft-vectorize-dlq-dev", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { jobId } },
    ]);
    const registry = createJobRegistry([testJob()]);
    await handleDeadLetters(dlq, env, registry);
    await handleDeadLetters(dlq, env, registry);
    const failed = await row(jobId);
    expect(failed).toMatchObject({ status: "failed", error_code: "attempts_exhausted" });
    expect(String(failed?.error_message)).toContain("timeout talking to R2");
    expect((await ledger(jobId)).results.filter((r) => r.kind === "release")).toHaveLength(1);
    expect(await creditBalance(db, userId)).toBe(10);
  });

  it("a cancelled queued job never runs; a running one stops at its next stage boundary", async () => {
    const userId = await userRow(10);
    const queued = await newJob(userId, 1);
    expect(await requestCancel(db, queued, new Date())).toBe("cancelled");
    let ran = false;
    await deliver(queued, async () => {
      ran = true;
      return { result: {} };
    });
    expect(ran).toBe(false);
    expect(await row(queued)).toMatchObject({ status: "cancelled" });

    const running = await newJob(userId, 1);
    let reachedSecondStage = false;
    await deliver(running, async (ctx) => {
      await ctx.step({ stage: "one", done: 0, total: 2, percent: 10 });
      expect(await requestCancel(db, running, new Date())).toBe("requested");
      await ctx.step({ stage: "two", done: 1, total: 2, percent: 50 });
      reachedSecondStage = true;
      return { result: {} };
    });
    expect(reachedSecondStage).toBe(false);
    expect(await row(running)).toMatchObject({ status: "cancelled" });
    expect(await creditBalance(db, userId)).toBe(10);
    expect((await progressObject(env, running).snapshot())?.type).toBe("cancelled");
  });

  it("a consumer whose lease ran out can't commit after another took the job over", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 2);
    const start = new Date();
    const stale = await claimJob(db, jobId, start);
    expect(stale).not.toBeNull();
    expect(await claimJob(db, jobId, new Date(start.getTime() + 1000))).toBeNull();
    const later = new Date(start.getTime() + (LEASE_SECONDS + 1) * 1000);
    const fresh = await claimJob(db, jobId, later);
    expect(fresh?.attempt).toBe(2);
    expect(await succeedJob(db, stale!, { by: "stale" }, later)).toBe(false);
    expect(await succeedJob(db, fresh!, { by: "fresh" }, later)).toBe(true);
    expect(await succeedJob(db, fresh!, { by: "again" }, later)).toBe(false);
    expect(await row(jobId)).toMatchObject({ status: "succeeded", result: JSON.stringify({ by: "fresh" }) });
    const outcomes = await env.DB.prepare(
      "SELECT outcome FROM task_executions WHERE job_id = ? ORDER BY attempt",
    )
      .bind(jobId)
      .all();
    expect(outcomes.results).toEqual([{ outcome: "lost" }, { outcome: "succeeded" }]);
    expect((await ledger(jobId)).results.filter((r) => r.kind === "commit")).toHaveLength(1);
  });

  it("refuses to reserve more credits than the balance, leaving nothing behind", async () => {
    const userId = await userRow(1);
    await expect(newJob(userId, 5)).rejects.toThrow(/batch aborted: insufficient-credits/);
    const jobsLeft = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE user_id = ?")
      .bind(userId)
      .first<{ n: number }>();
    expect(jobsLeft?.n).toBe(0);
    expect(await creditBalance(db, userId)).toBe(1);
  });
});

describe("deliveries that lose their job on the way", () => {
  it("a job whose consumers died as often as it may fail is failed by the next delivery, not run again", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 2);
    await env.DB.prepare("UPDATE jobs SET max_attempts = 3 WHERE id = ?").bind(jobId).run();
    const start = new Date();
    // Three consumers each claim the job and vanish; each next claim closes the last one as lost.
    for (let i = 0; i < 3; i++) expect(await claimJob(db, jobId, afterLeases(start, i))).not.toBeNull();
    let ran = false;
    const result = await deliver(
      jobId,
      async () => {
        ran = true;
        return { result: {} };
      },
      1,
      { clock: () => afterLeases(start, 3) },
    );
    expect(ran).toBe(false);
    await expectFailedForGood(result, jobId, userId, {
      error_code: "attempts_exhausted",
      error_message: "Gave up after 3 failed attempts.",
    });
  });

  it("a chunk whose job was cancelled after its last stage boundary is cancelled, not continued", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 2);
    const checkpoint = rawInBatch(db, sql`UPDATE users SET name = 'checkpointed' WHERE id = ${userId}`);
    const result = await deliver(jobId, async (ctx) => {
      await ctx.step({ stage: "chunk", done: 0, total: 2, percent: 0 });
      expect(await requestCancel(db, jobId, new Date())).toBe("requested");
      return {
        continue: true,
        checkpoint: [checkpoint],
        progress: { stage: "chunk", done: 1, total: 2, percent: 50 },
      };
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    expect(await row(jobId)).toMatchObject({ status: "cancelled" });
    const user = await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(userId).first();
    expect(user).toEqual({ name: null });
    expect(await creditBalance(db, userId)).toBe(10);
    expect((await progressObject(env, jobId).snapshot())?.type).toBe("cancelled");
  });

  it("a chunk or a result from a consumer whose lease another took over writes nothing; its cleanup runs", async () => {
    const userId = await userRow(10);
    const later = afterLeases(new Date(), 1);
    const checkpoint = rawInBatch(db, sql`UPDATE users SET name = 'checkpointed' WHERE id = ${userId}`);
    const chunked = await newJob(userId, 1);
    const first = await deliver(chunked, async () => {
      // Another consumer takes the job over (this one's lease ran out mid-chunk).
      expect(await claimJob(db, chunked, later)).not.toBeNull();
      return {
        continue: true,
        checkpoint: [checkpoint],
        progress: { stage: "chunk", done: 1, total: 2, percent: 50 },
      };
    });
    expect(first.explicitAcks).toHaveLength(1);
    expect(first.retryMessages).toHaveLength(0);
    expect(await row(chunked)).toMatchObject({ status: "running", attempts: 2 });
    expect(await env.DB.prepare("SELECT name FROM users WHERE id = ?").bind(userId).first()).toEqual({
      name: null,
    });

    const whole = await newJob(userId, 1);
    const calls: string[] = [];
    const second = await deliver(whole, async () => {
      expect(await claimJob(db, whole, later)).not.toBeNull();
      return {
        result: { by: "the stale consumer" },
        cleanup: async () => void calls.push("cleanup"),
        afterCommit: async () => void calls.push("afterCommit"),
      };
    });
    expect(second.explicitAcks).toHaveLength(1);
    expect(calls).toEqual(["cleanup"]);
    expect(await row(whole)).toMatchObject({ status: "running", result: null, attempts: 2 });
    // Both jobs' credits stay reserved for the consumers that own them now.
    expect(await creditBalance(db, userId)).toBe(8);
  });

  it("a failing tidy-up after the commit leaves the job succeeded and charged once", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 3);
    const result = await deliver(jobId, async () => ({
      result: { ok: true },
      afterCommit: async () => {
        throw new Error("R2 delete failed");
      },
    }));
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    expect(await row(jobId)).toMatchObject({ status: "succeeded", result: JSON.stringify({ ok: true }) });
    expect((await ledger(jobId)).results.map((r) => r.kind).sort()).toEqual(["commit", "reserve"]);
    expect(await creditBalance(db, userId)).toBe(7);
  });

  it("a 4xx the job's own code raises fails the job at once; a message naming no job is acked and ignored", async () => {
    const userId = await userRow(10);
    const jobId = await newJob(userId, 2);
    const result = await deliver(jobId, async () => {
      throw new HTTPException(422, { message: "The options ask for more colours than the image has." });
    });
    await expectFailedForGood(result, jobId, userId, {
      error_code: "deterministic_error",
      error_message: "The options ask for more colours than the image has.",
    });

    let ran = false;
    const stray = await deliver(
      jobId,
      async () => {
        ran = true;
        return { result: {} };
      },
      1,
      { body: { job: jobId } },
    );
    expect(stray.explicitAcks).toHaveLength(1);
    expect(stray.retryMessages).toHaveLength(0);
    expect(ran).toBe(false);
  });
});

describe("job types plug into the engine", () => {
  it("a job of a type nobody registered, or whose stored input no longer reads, fails at once", async () => {
    const userId = await userRow(10);
    const orphan = await newJob(userId, 1);
    await env.DB.prepare("UPDATE jobs SET type = 'retired-type' WHERE id = ?").bind(orphan).run();
    const first = await deliver(orphan, async () => ({ result: {} }));
    expect(first.explicitAcks).toHaveLength(1);
    expect(await row(orphan)).toMatchObject({ status: "failed", error_code: "unsupported_job" });

    const garbled = await newJob(userId, 1);
    await env.DB.prepare("UPDATE jobs SET input = '{\"test\":false}' WHERE id = ?").bind(garbled).run();
    let ran = false;
    await deliver(garbled, async () => {
      ran = true;
      return { result: {} };
    });
    expect(ran).toBe(false);
    expect(await row(garbled)).toMatchObject({ status: "failed", error_code: "invalid_input" });
    expect(await creditBalance(db, userId)).toBe(10);
  });

  it("a result storage refuses fails at once: the type's reading of the error, else any CHECK; cleanup runs", async () => {
    const userId = await userRow(10);
    const overQuota = rawInBatch(db, sql`UPDATE users SET used_bytes = quota_bytes + 1 WHERE id = ${userId}`);
    let cleanups = 0;
    const handler: JobHandler = async () => ({
      result: { stored: true },
      domain: [overQuota],
      cleanup: async () => {
        cleanups += 1;
      },
    });
    const plain = await newJob(userId, 1);
    const first = await deliver(plain, handler);
    expect(first.retryMessages).toHaveLength(0);
    expect(await row(plain)).toMatchObject({ status: "failed", error_code: "constraint_failed" });

    const explained = await newJob(userId, 1);
    const batch = createMessageBatch("edgecraft-vectorize-dev", [
      { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { jobId: explained } },
    ]);
    const type = {
      ...testJob(handler),
      permanentCommitError: () => ({ code: "quota_exceeded", message: "Over quota." }),
    };
    await runJobBatch(batch, env, { registry: createJobRegistry([type]), retryBaseSeconds: 10 });
    expect(await row(explained)).toMatchObject({
      status: "failed",
      error_code: "quota_exceeded",
      error_message: "Over quota.",
    });
    expect(cleanups).toBe(2);
    expect(await creditBalance(db, userId)).toBe(10);
  });
});

describe("backoff", () => {
  it("doubles per attempt with jitter between half and all of the step, capped at 10 minutes", () => {
    expect(backoffSeconds(1, 10, () => 0)).toBe(5);
    expect(backoffSeconds(1, 10, () => 1)).toBe(10);
    expect(backoffSeconds(3, 10, () => 1)).toBe(40);
    expect(backoffSeconds(3, 10, () => 0)).toBe(20);
    expect(backoffSeconds(20, 10, () => 1)).toBe(600);
    expect(backoffSeconds(2, 0)).toBe(0);
    const samples = Array.from({ length: 50 }, () => backoffSeconds(2, 10));
    expect(new Set(samples).size).toBeGreaterThan(1);
    for (const s of samples) expect(s >= 10 && s <= 20).toBe(true);
  });
});
