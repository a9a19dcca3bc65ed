import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { jobRow } from "../helpers/jobs";
import { uploadOk } from "../media/helpers";
import { waitFinal } from "../organize/helpers";
import { connect, freshPrefix, testBucket } from "../storage/helpers";

async function attemptRow(jobId: string, attempt: number, outcome: string, errorCode: string | null) {
  await env.DB.prepare(
    `INSERT INTO task_executions (id, job_id, attempt, started_at, ended_at, outcome, error_code, error_message, duration_ms, stage_timings)
     VALUES (?, ?, ?, '2026-11-30T10:00:00.000Z', '2026-11-30T10:00:01.000Z', ?, ?, ?, 1000, '{"decode":12,"trace":900}')`,
  )
    .bind(
      `tex_${crypto.randomUUID().slice(0, 8)}`,
      jobId,
      attempt,
      outcome,
      errorCode,
      errorCode ? "boom" : null,
    )
    .run();
}

async function get<T>(admin: TestUser, path: string): Promise<T> {
  const res = await call(`/api/v1${path}`, { token: admin.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

const post = (admin: TestUser, path: string, json: unknown) =>
  call(`/api/v1${path}`, { method: "POST", token: admin.accessToken, json });

interface ExplorerJob {
  id: string;
  status: string;
  owner: { id: string; email: string };
  errorCode: string | null;
  replayOf: string | null;
}

describe("job explorer (#17)", () => {
  it("lists every user's jobs with owner, filtered by type, status, owner, error code, time, and searched by input", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const bob = await newUser();
    const logo = await uploadOk(alice, "<svg xmlns='http://www.w3.org/2000/svg'/>", "Company-Logo.svg");
    const a1 = await jobRow(alice.id, { status: "failed", errorCode: "decode_failed", mediaId: logo.id });
    const a2 = await jobRow(alice.id, { status: "succeeded" });
    const b1 = await jobRow(bob.id, {
      status: "failed",
      errorCode: "timeout",
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    const child = await jobRow(bob.id, { status: "failed", errorCode: "timeout", parentId: a2 });

    const byOwner = await get<{ items: ExplorerJob[] }>(admin, `/admin/jobs?owner=${alice.id}`);
    expect(byOwner.items.map((j) => j.id).sort()).toEqual([a1, a2].sort());
    expect(byOwner.items[0]!.owner).toEqual({ id: alice.id, email: alice.email });
    const byEmail = await get<{ items: ExplorerJob[] }>(
      admin,
      `/admin/jobs?owner=${encodeURIComponent(bob.email)}`,
    );
    expect(byEmail.items.map((j) => j.id)).toEqual([b1]);
    const withChildren = await get<{ items: ExplorerJob[] }>(
      admin,
      `/admin/jobs?owner=${bob.id}&children=true`,
    );
    expect(withChildren.items.map((j) => j.id).sort()).toEqual([b1, child].sort());

    const byError = await get<{ items: ExplorerJob[] }>(
      admin,
      // Alice's: other test files' failed jobs share the database.
      `/admin/jobs?errorCode=decode_failed&status=failed&owner=${alice.id}`,
    );
    expect(byError.items.map((j) => j.id)).toEqual([a1]);
    const byTime = await get<{ items: ExplorerJob[] }>(
      admin,
      `/admin/jobs?owner=${bob.id}&to=2026-06-01T00:00:00.000Z&type=vectorize`,
    );
    expect(byTime.items.map((j) => j.id)).toEqual([b1]);
    const byMedia = await get<{ items: ExplorerJob[] }>(admin, `/admin/jobs?mediaId=${logo.id}`);
    expect(byMedia.items.map((j) => j.id)).toEqual([a1]);
    const byName = await get<{ items: ExplorerJob[] }>(admin, "/admin/jobs?q=company-LOGO");
    expect(byName.items.map((j) => j.id)).toEqual([a1]);

    await expectProblem(await call("/api/v1/admin/jobs", { token: alice.accessToken }), 403);
    await expectProblem(await call("/api/v1/admin/jobs?status=exploded", { token: admin.accessToken }), 422);
    // /admin/jobs/stats still answers next to /admin/jobs/{id}.
    expect((await call("/api/v1/admin/jobs/stats", { token: admin.accessToken })).status).toBe(200);
  });

  it("opens any user's job with every attempt and its source file", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const file = await uploadOk(alice, "<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>", "pic.svg");
    const id = await jobRow(alice.id, { status: "failed", errorCode: "decode_failed", mediaId: file.id });
    await attemptRow(id, 1, "retry", "timeout");
    await attemptRow(id, 2, "failed", "decode_failed");
    const detail = await get<{
      job: ExplorerJob;
      attempts: {
        attempt: number;
        outcome: string;
        errorCode: string;
        stageTimings: Record<string, number>;
      }[];
      source: { id: string; name: string };
    }>(admin, `/admin/jobs/${id}`);
    expect(detail.job.owner.id).toBe(alice.id);
    expect(detail.attempts.map((a) => [a.attempt, a.outcome, a.errorCode])).toEqual([
      [1, "retry", "timeout"],
      [2, "failed", "decode_failed"],
    ]);
    expect(detail.attempts[1]!.stageTimings).toEqual({ decode: 12, trace: 900 });
    expect(detail.source).toMatchObject({ id: file.id, name: "pic.svg" });
    const bytes = await call(`/api/v1/admin/jobs/${id}/source`, { token: admin.accessToken });
    expect(bytes.status).toBe(200);
    expect(await bytes.text()).toContain("<rect/>");
    await expectProblem(await call(`/api/v1/admin/jobs/${id}/source`, { token: alice.accessToken }), 403);
    await expectProblem(
      await call("/api/v1/admin/jobs/job_00000000000000000000", { token: admin.accessToken }),
      404,
    );
  });

  it("replays exactly the matching failed jobs once: count first, credits reserved again, idempotent", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const broke = await newUser();
    // `broke` has no credits left: its replay is refused, nothing else.
    await env.DB.prepare(
      "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, created_at) VALUES (?, ?, 'reserve', -100000, 'drain', ?)",
    )
      .bind(`crd_${crypto.randomUUID().slice(0, 8)}`, broke.id, new Date().toISOString())
      .run();
    const code = `replay_${crypto.randomUUID().slice(0, 6)}`;
    const f1 = await jobRow(alice.id, { status: "failed", errorCode: code });
    const f2 = await jobRow(alice.id, { status: "failed", errorCode: code });
    const f3 = await jobRow(broke.id, { status: "failed", errorCode: code });
    const otherCode = await jobRow(alice.id, { status: "failed", errorCode: "something_else" });
    const succeeded = await jobRow(alice.id, { status: "succeeded", errorCode: code });
    const filter = { errorCode: code };

    const preview = await post(admin, "/admin/jobs/replay", { filter });
    expect(preview.status).toBe(200);
    const counted = await preview.json<{ count: number; sample: string[] }>();
    expect(counted.count).toBe(3);
    expect(counted.sample.sort()).toEqual([f1, f2, f3].sort());
    // Nothing changed by the preview.
    expect(
      (await get<{ items: unknown[] }>(admin, `/admin/jobs?errorCode=${code}&children=true`)).items,
    ).toHaveLength(4);

    await expectProblem(
      await post(admin, "/admin/jobs/replay", { filter, confirmCount: 2 }),
      409,
      "count_changed",
    );
    // Two admins confirm at once: each failed job is still replayed once (one may see 409).
    const answers = await Promise.all(
      [1, 2].map(() => post(admin, "/admin/jobs/replay", { filter, confirmCount: 3 })),
    );
    const outcomes = [];
    for (const answer of answers) {
      if (answer.status === 409) continue;
      expect(answer.status, await answer.clone().text()).toBe(202);
      outcomes.push(
        await answer.json<{
          replayed: { jobId: string; replayId: string }[];
          skipped: { insufficientCredits: string[]; alreadyReplayed: string[] };
        }>(),
      );
    }
    const outcome = {
      replayed: outcomes.flatMap((o) => o.replayed),
      skipped: { insufficientCredits: [...new Set(outcomes.flatMap((o) => o.skipped.insufficientCredits))] },
    };
    expect(outcome.replayed.map((r) => r.jobId).sort()).toEqual([f1, f2].sort());
    expect(outcome.skipped.insufficientCredits).toEqual([f3]);

    for (const { jobId, replayId } of outcome.replayed) {
      const replay = await env.DB.prepare("SELECT user_id, type, input, replay_of FROM jobs WHERE id = ?")
        .bind(replayId)
        .first<{ user_id: string; type: string; input: string; replay_of: string }>();
      const original = await env.DB.prepare("SELECT input FROM jobs WHERE id = ?")
        .bind(jobId)
        .first<{ input: string }>();
      expect(replay).toMatchObject({ user_id: alice.id, type: "vectorize", replay_of: jobId });
      expect(JSON.parse(replay!.input)).toEqual(JSON.parse(original!.input));
      const reserve = await env.DB.prepare(
        "SELECT amount FROM credit_ledger WHERE ref = ? AND kind = 'reserve'",
      )
        .bind(replayId)
        .first<{ amount: number }>();
      expect(reserve!.amount).toBe(-Number(env.VECTORIZE_CREDIT_COST));
      const audit = await env.DB.prepare(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'job.replayed' AND target_id = ?",
      )
        .bind(jobId)
        .first<{ actor_id: string; detail: string }>();
      expect(audit!.actor_id).toBe(admin.id);
      expect(JSON.parse(audit!.detail).replayId).toBe(replayId);
    }
    // The untouched ones stay untouched.
    for (const id of [otherCode, succeeded]) {
      const n = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE replay_of = ?")
        .bind(id)
        .first<{ n: number }>();
      expect(n!.n).toBe(0);
    }

    // Again: only the refused one is still replayable; the replayed ones never twice.
    const again = await (await post(admin, "/admin/jobs/replay", { filter })).json<{ count: number }>();
    expect(again.count).toBe(1);
    const twice = await post(admin, "/admin/jobs/replay", { filter, confirmCount: 1 });
    expect((await twice.json<{ replayed: unknown[] }>()).replayed).toEqual([]);
    const total = await env.DB.prepare(`SELECT count(*) AS n FROM jobs WHERE replay_of IN (?, ?, ?)`)
      .bind(f1, f2, f3)
      .first<{ n: number }>();
    expect(total!.n).toBe(2);
  });

  it("replays a failed storage import with a transfer of its own; a failed organize plan is not replayable", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const root = freshPrefix("replay");
    await testBucket(root).put("a.txt", new TextEncoder().encode("alpha"), { size: 5 });
    const connectionId = await connect(alice, root);
    const code = `replay_${crypto.randomUUID().slice(0, 6)}`;
    const failed = `job_${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`;
    const now = new Date().toISOString();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO jobs (id, user_id, type, status, input, progress, attempts, error_code, error_message, credit_cost, created_at, updated_at)
         VALUES (?, ?, 'storage-import', 'failed', ?, '{"stage":"importing","done":0,"total":1,"percent":0}', 5, ?, 'store unreachable', 0, ?, ?)`,
      ).bind(failed, alice.id, JSON.stringify({ connectionId }), code, now, now),
      env.DB.prepare(
        `INSERT INTO storage_transfers (job_id, owner_id, connection_id, direction, prefix, folder)
         VALUES (?, ?, ?, 'import', '', '/imported')`,
      ).bind(failed, alice.id, connectionId),
    ]);
    // An organize job's state lives in its plan row, not its input: running it again from the
    // input alone can't work, so a replay never picks one.
    const plan = await jobRow(alice.id, { status: "failed", errorCode: code });
    await env.DB.prepare("UPDATE jobs SET type = 'organize' WHERE id = ?").bind(plan).run();

    const filter = { errorCode: code };
    const preview = await (await post(admin, "/admin/jobs/replay", { filter })).json<{ sample: string[] }>();
    expect(preview.sample).toEqual([failed]);
    const done = await post(admin, "/admin/jobs/replay", { filter, confirmCount: 1 });
    expect(done.status, await done.clone().text()).toBe(202);
    const { replayed } = await done.json<{ replayed: { jobId: string; replayId: string }[] }>();
    expect(replayed.map((r) => r.jobId)).toEqual([failed]);

    const replay = await waitFinal(alice, replayed[0]!.replayId, 60_000);
    expect(replay.status).toBe("succeeded");
    const files = await env.DB.prepare("SELECT folder, name FROM media WHERE owner_id = ?")
      .bind(alice.id)
      .all<{ folder: string; name: string }>();
    expect(files.results).toEqual([{ folder: "/imported", name: "a.txt" }]);
    const transfers = await env.DB.prepare(
      "SELECT job_id, prefix, folder, done, copied FROM storage_transfers WHERE job_id IN (?, ?) ORDER BY done",
    )
      .bind(failed, replay.id)
      .all();
    expect(transfers.results).toEqual([
      { job_id: failed, prefix: "", folder: "/imported", done: 0, copied: 0 },
      { job_id: replay.id, prefix: "", folder: "/imported", done: 1, copied: 1 },
    ]);
  });

  it("cancels the queued jobs a filter selects, after a count", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const q1 = await jobRow(alice.id, {
      status: "queued",
      errorCode: undefined,
      createdAt: "2025-03-01T00:00:00.000Z",
    });
    const q2 = await jobRow(alice.id, { status: "queued", createdAt: "2025-03-02T00:00:00.000Z" });
    await jobRow(alice.id, { status: "failed", errorCode: "x", createdAt: "2025-03-02T00:00:00.000Z" });
    const filter = { owner: alice.id, to: "2025-12-31T00:00:00.000Z" };
    const preview = await (await post(admin, "/admin/jobs/cancel", { filter })).json<{ count: number }>();
    expect(preview.count).toBe(2);
    const done = await post(admin, "/admin/jobs/cancel", { filter, confirmCount: 2 });
    expect(done.status).toBe(202);
    expect((await done.json<{ cancelled: string[] }>()).cancelled.sort()).toEqual([q1, q2].sort());
    const statuses = await env.DB.prepare("SELECT status FROM jobs WHERE id IN (?, ?)")
      .bind(q1, q2)
      .all<{ status: string }>();
    expect(statuses.results.map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    await expectProblem(
      await post(admin, "/admin/jobs/cancel", { filter, confirmCount: 2 }),
      409,
      "count_changed",
    );
  });
});
