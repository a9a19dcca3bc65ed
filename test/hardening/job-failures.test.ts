import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { createJobStatements } from "../../src/jobs/create";
import { createJobRegistry, defineJobType, type JobHandler } from "../../src/jobs/registry";
import { runJobBatch } from "../../src/jobs/runner";
import { userRow } from "../helpers/jobs";

const db = getDb(env.DB);
const input = z.object({ test: z.literal(true) });

function jobType(handler: JobHandler<z.infer<typeof input>>, maxAttempts?: number) {
  return defineJobType({
    name: "test-failing",
    input,
    result: z.record(z.string(), z.unknown()),
    queue: (e) => e.ORGANIZE_QUEUE,
    cost: () => 0,
    maxAttempts,
    handler,
  });
}

async function newJob(type: ReturnType<typeof jobType>): Promise<string> {
  const { id, statements } = createJobStatements(
    db,
    env,
    { type, userId: await userRow(), input: { test: true } },
    new Date(),
  );
  await db.batch(statements as [never, ...never[]]);
  return id;
}

/** One delivery, as the queue makes it (each continuation is a fresh message, attempts = 1). */
async function deliver(jobId: string, type: ReturnType<typeof jobType>) {
  const batch = createMessageBatch("edgecraft-organize-dev", [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { jobId } },
  ]);
  const ctx = createExecutionContext();
  await runJobBatch(batch, env, { registry: createJobRegistry([type]), retryBaseSeconds: 0 });
  return getQueueResult(batch, ctx);
}

const job = (id: string) =>
  env.DB.prepare("SELECT status, error_code, error_message FROM jobs WHERE id = ?")
    .bind(id)
    .first<{ status: string; error_code: string | null; error_message: string | null }>();

describe("deterministic errors fail a job at once; max_attempts holds for chunked jobs (#10)", () => {
  for (const [what, statement] of [
    ["a LIKE pattern over D1's 50 bytes", sql`SELECT 1 WHERE 'x' LIKE ${`${"a".repeat(60)}%`}`],
    [
      "more than 100 bound parameters",
      sql`SELECT 1 WHERE 1 IN (${sql.join(
        Array.from({ length: 120 }, (_, i) => sql`${i}`),
        sql`, `,
      )})`,
    ],
    ["a CHECK constraint", sql`UPDATE users SET used_bytes = -5 WHERE id = (SELECT id FROM users LIMIT 1)`],
  ] as const) {
    it(`${what}: failed on the first attempt, not retried`, async () => {
      const type = jobType(async () => {
        await db.run(statement);
        return { result: {} };
      });
      const id = await newJob(type);
      const result = await deliver(id, type);
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks).toHaveLength(1);
      expect(await job(id)).toMatchObject({ status: "failed", error_code: "deterministic_error" });
      const attempts = await env.DB.prepare("SELECT outcome FROM task_executions WHERE job_id = ?")
        .bind(id)
        .all();
      expect(attempts.results).toEqual([{ outcome: "failed" }]);
    });
  }

  it("a chunked job that keeps failing stops after max_attempts failed attempts, whatever the chunks", async () => {
    let deliveries = 0;
    const type = jobType(async () => {
      deliveries += 1;
      // Two chunks go well, then every delivery fails as if D1 were unreachable.
      if (deliveries <= 2)
        return {
          continue: true,
          checkpoint: [],
          progress: { stage: "apply", done: deliveries, total: 9, percent: 20 },
        };
      throw new Error("D1_ERROR: Network connection lost.");
    }, 3);
    const id = await newJob(type);
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await deliver(id, type);
      outcomes.push(result.retryMessages.length ? "retry" : "ack");
      if ((await job(id))?.status === "failed") break;
    }
    // 2 chunks, then 3 failed attempts: the third one ends the job instead of retrying it again.
    expect(outcomes).toEqual(["ack", "ack", "retry", "retry", "ack"]);
    const row = await job(id);
    expect(row).toMatchObject({ status: "failed", error_code: "attempts_exhausted" });
    expect(row?.error_message).toContain("Network connection lost");
  });
});
