import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { runScheduled } from "../../src/scheduled";
import { userRow } from "../helpers/jobs";

/** A vectorize job's input whose source image no longer exists. */
const GONE_INPUT = JSON.stringify({
  mediaId: "med_gone",
  options: {},
  optionsHash: "0".repeat(64),
  sourceSha256: "0".repeat(64),
});

async function waitForStatus(jobId: string, status: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await env.DB.prepare("SELECT status, attempts, error_code FROM jobs WHERE id = ?")
      .bind(jobId)
      .first<{
        status: string;
        attempts: number;
        error_code: string | null;
      }>();
    if (row?.status === status) return row;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${row?.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("the scheduled handler hands a job whose consumer died (expired lease) back to the queue", async () => {
  const userId = await userRow();
  const jobId = `job_lost${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const past = new Date(Date.now() - 10 * 60_000).toISOString();
  await env.DB.batch([
    env.DB.prepare(
      'INSERT INTO jobs (id, user_id, type, status, input, progress, attempts, lease_owner, lease_until, created_at, started_at, updated_at) VALUES (?, ?, \'vectorize\', \'running\', ?, \'{"stage":"tracing","done":1,"total":5,"percent":40}\', 1, \'lease_dead\', ?, ?, ?, ?)',
    ).bind(jobId, userId, GONE_INPUT, past, past, past, past),
    env.DB.prepare(
      "INSERT INTO task_executions (id, job_id, attempt, started_at, outcome) VALUES ('exe_lost', ?, 1, ?, 'running')",
    ).bind(jobId, past),
  ]);
  await runScheduled(env, new Date());
  // The real vectorize consumer takes it over (attempt 2) and fails it for good: the source is gone.
  const row = await waitForStatus(jobId, "failed");
  expect(row).toMatchObject({ attempts: 2, error_code: "source_missing" });
  const attempts = await env.DB.prepare(
    "SELECT attempt, outcome FROM task_executions WHERE job_id = ? ORDER BY attempt",
  )
    .bind(jobId)
    .all();
  expect(attempts.results).toEqual([
    { attempt: 1, outcome: "lost" },
    { attempt: 2, outcome: "failed" },
  ]);
});

it("a job whose queue send never happened is relayed from the outbox", async () => {
  const userId = await userRow();
  const jobId = `job_relay${crypto.randomUUID().replace(/-/g, "").slice(0, 11)}`;
  const old = new Date(Date.now() - 5 * 60_000).toISOString();
  await env.DB.batch([
    env.DB.prepare(
      'INSERT INTO jobs (id, user_id, type, status, input, progress, created_at, updated_at) VALUES (?, ?, \'vectorize\', \'queued\', ?, \'{"stage":"queued","done":0,"total":1,"percent":0}\', ?, ?)',
    ).bind(jobId, userId, GONE_INPUT, old, old),
    env.DB.prepare(
      "INSERT INTO outbox (id, topic, payload, created_at) VALUES ('evt_relay', 'job.created', ?, ?)",
    ).bind(JSON.stringify({ jobId, type: "vectorize" }), old),
  ]);
  await runScheduled(env, new Date());
  const row = await waitForStatus(jobId, "failed");
  expect(row.attempts).toBe(1);
  const event = await env.DB.prepare("SELECT delivered_at FROM outbox WHERE id = 'evt_relay'").first<{
    delivered_at: string | null;
  }>();
  expect(event?.delivered_at).not.toBeNull();
});

it("a queued job whose message was lost is sent again once it has waited longer than any backoff", async () => {
  const userId = await userRow();
  const jobId = `job_strand${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const longAgo = new Date(Date.now() - 20 * 60_000).toISOString();
  await env.DB.prepare(
    'INSERT INTO jobs (id, user_id, type, status, input, progress, created_at, updated_at) VALUES (?, ?, \'vectorize\', \'queued\', ?, \'{"stage":"queued","done":0,"total":1,"percent":0}\', ?, ?)',
  )
    .bind(jobId, userId, GONE_INPUT, longAgo, longAgo)
    .run();
  await runScheduled(env, new Date());
  const row = await waitForStatus(jobId, "failed");
  expect(row).toMatchObject({ attempts: 1, error_code: "source_missing" });
});
