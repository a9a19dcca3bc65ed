import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_AUDIT } from "../../src/audit/record";
import { getDb, rawInBatch } from "../../src/db/client";
import { claimJob, LEASE_SECONDS, requestCancel } from "../../src/jobs/lifecycle";
import { recoverJobs } from "../../src/jobs/recovery";
import { createJobRegistry, type JobHandler } from "../../src/jobs/registry";
import { runJobBatch } from "../../src/jobs/runner";
import { type OrganizeInput, organizeJob } from "../../src/organize/job";
import { createOrganizeJob } from "../../src/organize/service";
import { newUser } from "../helpers/api";
import { mixedLibrary, seed, snapshot } from "./helpers";

/**
 * Chunk semantics driven by hand: messages are delivered by the test (the real queue is replaced by
 * a recorder), so duplicates, crashes and lost leases happen exactly where we want them.
 */
const db = getDb(env.DB);
const sent: string[] = [];
const recorder = {
  send: async (body: { jobId: string }) => void sent.push(body.jobId),
  sendBatch: async (messages: { body: { jobId: string } }[]) =>
    void sent.push(...messages.map((m) => m.body.jobId)),
};
const quietEnv = new Proxy(env, {
  get: (target, key) => (key === "ORGANIZE_QUEUE" ? recorder : Reflect.get(target, key)),
}) as Env;

async function deliver(jobId: string, handler: JobHandler<OrganizeInput> = organizeJob.handler) {
  const batch = createMessageBatch("edgecraft-organize-dev", [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { jobId } },
  ]);
  const ctx = createExecutionContext();
  const registry = createJobRegistry([{ ...organizeJob, handler }]);
  await runJobBatch(batch, quietEnv, { registry, retryBaseSeconds: 0 });
  return getQueueResult(batch, ctx);
}

const jobRow = (id: string) =>
  env.DB.prepare("SELECT status, attempts, updated_at FROM jobs WHERE id = ?")
    .bind(id)
    .first<{ status: string; attempts: number; updated_at: string }>();
const planRow = (id: string) =>
  env.DB.prepare("SELECT stage, cursor, state FROM organize_plans WHERE job_id = ?")
    .bind(id)
    .first<{ stage: string; cursor: string; state: string }>();

/** Runs deliveries until the job is final (each delivered `copies` times). */
async function drain(jobId: string, copies = 1, handler?: JobHandler<OrganizeInput>) {
  for (let i = 0; i < 200; i++) {
    const row = await jobRow(jobId);
    if (row && ["succeeded", "failed", "cancelled"].includes(row.status)) return row;
    for (let c = 0; c < copies; c++) await deliver(jobId, handler);
  }
  throw new Error("job did not finish");
}

/** Every row update of a media folder, logged by a trigger: a file moved twice shows up twice. */
async function moveLog(): Promise<Map<string, number>> {
  const rows = await env.DB.prepare("SELECT media_id, count(*) AS n FROM move_log GROUP BY media_id").all<{
    media_id: string;
    n: number;
  }>();
  return new Map(rows.results.map((r) => [r.media_id, r.n]));
}

beforeAll(async () => {
  await env.DB.batch([
    env.DB.prepare("CREATE TABLE move_log (media_id TEXT NOT NULL)"),
    env.DB.prepare(
      "CREATE TRIGGER log_moves AFTER UPDATE OF folder ON media WHEN old.folder <> new.folder BEGIN INSERT INTO move_log VALUES (new.id); END",
    ),
  ]);
});

// Test files share the database (vitest.config.ts: isolate): the trigger's own inserts would count
// in every later folder update's `changes`.
afterAll(async () => {
  await env.DB.batch([env.DB.prepare("DROP TRIGGER log_moves"), env.DB.prepare("DROP TABLE move_log")]);
});

async function expectAppliedOnce(userId: string, planId: string) {
  const after = await snapshot(userId);
  const records = await env.DB.prepare(
    "SELECT media_id, status, new_folder, new_name FROM organize_files WHERE job_id = ?",
  )
    .bind(planId)
    .all<{ media_id: string; status: string; new_folder: string; new_name: string }>();
  const log = await moveLog();
  let moved = 0;
  for (const r of records.results) {
    if (r.status === "moved") {
      moved += 1;
      const path = r.new_folder === "/" ? `/${r.new_name}` : `${r.new_folder}/${r.new_name}`;
      expect(after.get(r.media_id)!.path).toBe(path);
      expect(log.get(r.media_id)).toBe(1);
    } else {
      expect(r.status).toBe("unchanged");
      expect(log.has(r.media_id)).toBe(false);
    }
  }
  return moved;
}

describe("organize chunks", () => {
  it("each chunk is its own delivery; a message delivered twice never moves anything twice", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(150, [{ copies: 3 }]));
    const job = await createOrganizeJob(quietEnv, user.id, { duplicates: "move" }, new Date());
    sent.length = 0;
    const first = await deliver(job.id);
    expect(first.explicitAcks).toHaveLength(1);
    expect(sent).toEqual([job.id]); // the next chunk was asked for
    expect(await jobRow(job.id)).toMatchObject({ status: "queued" });

    const final = await drain(job.id, 2); // every message twice
    expect(final.status).toBe("succeeded");
    const moved = await expectAppliedOnce(user.id, job.id);
    expect(moved).toBeGreaterThan(100);
    const attempts = await env.DB.prepare(
      "SELECT outcome, count(*) AS n FROM task_executions WHERE job_id = ? GROUP BY outcome",
    )
      .bind(job.id)
      .all<{ outcome: string; n: number }>();
    const outcomes = Object.fromEntries(attempts.results.map((r) => [r.outcome, r.n]));
    expect(outcomes.succeeded).toBe(1);
    expect(outcomes.continued).toBeGreaterThan(5);
  });

  it("a live lease makes a duplicate delivery a no-op; an expired one (crashed consumer) resumes at the checkpoint", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(120));
    const job = await createOrganizeJob(quietEnv, user.id, {}, new Date());
    await deliver(job.id);
    await deliver(job.id);
    const checkpoint = await planRow(job.id);
    // Another consumer holds the job right now.
    const claim = await claimJob(db, job.id, new Date());
    expect(claim).not.toBeNull();
    const dup = await deliver(job.id);
    expect(dup.explicitAcks).toHaveLength(1);
    expect(await planRow(job.id)).toEqual(checkpoint);
    // That consumer died mid-chunk: its lease runs out and the next delivery takes over.
    await env.DB.prepare("UPDATE jobs SET lease_until = ? WHERE id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), job.id)
      .run();
    const final = await drain(job.id);
    expect(final.status).toBe("succeeded");
    await expectAppliedOnce(user.id, job.id);
    const lost = await env.DB.prepare(
      "SELECT count(*) AS n FROM task_executions WHERE job_id = ? AND outcome = 'lost'",
    )
      .bind(job.id)
      .first<{ n: number }>();
    expect(lost?.n).toBe(1);
  });

  it("a crash mid-apply commits nothing of that chunk, and redelivery completes correctly", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(160));
    const before = await snapshot(user.id);
    const job = await createOrganizeJob(quietEnv, user.id, {}, new Date());
    let applyChunks = 0;
    let failedOnce = false;
    let logBefore = 0;
    // The third apply chunk's batch fails half way (a statement after the moves breaks).
    const crashing: JobHandler<OrganizeInput> = async (ctx) => {
      const outcome = await organizeJob.handler(ctx);
      const plan = await planRow(ctx.claim.job.id);
      if ("continue" in outcome && plan?.stage === "apply" && ++applyChunks === 3 && !failedOnce) {
        failedOnce = true;
        logBefore = [...(await moveLog()).values()].length;
        outcome.checkpoint.splice(3, 0, rawInBatch(db, sql`INSERT INTO no_such_table VALUES (1)`));
      }
      return outcome;
    };
    let result: Awaited<ReturnType<typeof deliver>> | null = null;
    for (let i = 0; i < 100 && !failedOnce; i++) result = await deliver(job.id, crashing);
    expect(failedOnce).toBe(true);
    expect(result!.retryMessages).toHaveLength(1);
    expect([...(await moveLog()).values()].length).toBe(logBefore); // nothing of the chunk landed
    expect(await jobRow(job.id)).toMatchObject({ status: "queued" });

    const final = await drain(job.id, 1, crashing);
    expect(final.status).toBe("succeeded");
    await expectAppliedOnce(user.id, job.id);
    const after = await snapshot(user.id);
    expect(after.size).toBe(before.size);
  });

  it("cancelling mid-way stops at the next chunk; rollback of the partial apply restores everything", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(100));
    const before = await snapshot(user.id);
    const job = await createOrganizeJob(quietEnv, user.id, {}, new Date());
    for (let i = 0; i < 6; i++) await deliver(job.id);
    expect(await requestCancel(db, job.id, new Date())).toBe("cancelled"); // between chunks the job is queued
    await deliver(job.id);
    expect((await jobRow(job.id))?.status).toBe("cancelled");
    const { startFollowUp } = await import("../../src/organize/service");
    const principal = {
      userId: user.id,
      role: "user" as const,
      email: user.email,
      emailVerified: true,
      via: "access-token" as const,
      sessionId: null,
      apiKeyId: null,
      scopes: ["*"],
    };
    const rb = await startFollowUp(quietEnv, principal, job.id, "rollback", new Date(), SYSTEM_AUDIT);
    expect((await drain(rb.id)).status).toBe("succeeded");
    expect([...(await snapshot(user.id)).entries()]).toEqual([...before.entries()]);
    expect((await planRow(job.id))?.state).toBe("rolled-back");
  });

  it("a continuation whose message was lost (dev server restarted between chunks) is re-driven within one lease, and every file still moves once", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(120));
    const job = await createOrganizeJob(quietEnv, user.id, {}, new Date());
    for (let i = 0; i < 100 && (await planRow(job.id))?.stage !== "apply"; i++) await deliver(job.id);
    await deliver(job.id); // one apply chunk done; the job waits, queued, for the message it asked for
    const between = await jobRow(job.id);
    expect(between?.status).toBe("queued");
    expect((await planRow(job.id))?.stage).toBe("apply");
    sent.length = 0; // that message is lost

    const registry = createJobRegistry([organizeJob]);
    const checkpointed = Date.parse(between!.updated_at);
    const recover = async (afterMs: number) => {
      sent.length = 0;
      await recoverJobs(quietEnv, registry, new Date(checkpointed + afterMs));
      return sent.filter((id) => id === job.id).length;
    };
    expect(await recover(LEASE_SECONDS * 1000 - 1000)).toBe(0); // the message may still be on its way
    expect(await recover(LEASE_SECONDS * 1000 + 1000)).toBe(1); // lost: sent again, once per run
    // The re-driven message and a duplicate of it (a second cron run before it was consumed) arrive.
    const final = await drain(job.id, 2);
    expect(final.status).toBe("succeeded");
    expect(await expectAppliedOnce(user.id, job.id)).toBeGreaterThan(50);
    expect(await recover(LEASE_SECONDS * 1000 + 60_000)).toBe(0); // a finished job is left alone
  });

  it("a job waiting out a retry backoff is not re-driven early; one whose retry message is lost is, after the longest backoff", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(40));
    const job = await createOrganizeJob(quietEnv, user.id, {}, new Date());
    const failing: JobHandler<OrganizeInput> = async () => {
      throw new Error("D1 overloaded");
    };
    const result = await deliver(job.id, failing);
    expect(result.retryMessages).toHaveLength(1);
    const waiting = await jobRow(job.id);
    expect(waiting?.status).toBe("queued");

    const registry = createJobRegistry([organizeJob]);
    const failedAt = Date.parse(waiting!.updated_at);
    const recover = async (afterMs: number) => {
      sent.length = 0;
      await recoverJobs(quietEnv, registry, new Date(failedAt + afterMs));
      return sent.filter((id) => id === job.id).length;
    };
    expect(await recover(LEASE_SECONDS * 1000 + 1000)).toBe(0);
    expect(await recover(16 * 60_000)).toBe(1);
    expect((await drain(job.id)).status).toBe("succeeded");
  });
});
