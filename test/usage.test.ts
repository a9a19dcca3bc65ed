import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ENTRIES_PER_FLUSH, MetricsAggregator } from "../src/durable/metrics";
import { flushMetrics } from "../src/metrics/flush";
import { metricsShard } from "../src/metrics/shards";
import { call, expectProblem, newUser, type TestUser } from "./helpers/api";
import { jobRow } from "./helpers/jobs";
import { form, uploadOk } from "./media/helpers";

interface UsageDay {
  day: string;
  apiCalls: number;
  apiCallsByClass: Record<string, number>;
  bytesUploaded: number;
  bytesServed: number;
  jobs: { type: string; outcome: string; count: number }[];
  creditsSpent: number;
}
interface Usage {
  from: string;
  to: string;
  totals: {
    apiCalls: number;
    bytesUploaded: number;
    bytesServed: number;
    jobs: number;
    creditsSpent: number;
  };
  days: UsageDay[];
}

const today = () => new Date().toISOString().slice(0, 10);

/** What D1 holds for the user today, per route class, after every shard flushed. */
async function stored(userId: string) {
  const rows = await env.DB.prepare(
    "SELECT route_class AS c, calls, bytes_in, bytes_out FROM usage_daily WHERE user_id = ? AND day = ?",
  )
    .bind(userId, today())
    .all<{ c: string; calls: number; bytes_in: number; bytes_out: number }>();
  return Object.fromEntries(rows.results.map((r) => [r.c, r]));
}

/** Samples are recorded after the answer (waitUntil): flush until `ready` holds, or give up. */
async function flushUntil(userId: string, ready: (s: Awaited<ReturnType<typeof stored>>) => boolean) {
  for (let i = 0; i < 50; i++) {
    await flushMetrics(env);
    const now = await stored(userId);
    if (ready(now)) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return stored(userId);
}

async function usageOf(token: string, path: string): Promise<Usage> {
  const res = await call(path, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** An upload whose body length is known up front (the multipart body serialized first). */
async function uploadBytes(user: TestUser, text: string, name: string): Promise<number> {
  const body = new Response(form(text, name));
  const type = body.headers.get("content-type")!;
  const bytes = await body.arrayBuffer();
  const res = await call("/api/v1/media", {
    method: "POST",
    token: user.accessToken,
    body: bytes,
    headers: { "content-type": type },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return bytes.byteLength;
}

describe("usage per user and day (#17)", () => {
  it("counts concurrent calls, uploaded and served bytes exactly, per route class, with no D1 write per request", async () => {
    const user = await newUser();
    const other = await newUser();
    const file = await uploadOk(user, "x".repeat(5000), "served.txt");
    await flushUntil(user.id, (s) => s.media?.calls === 1);
    const before = await stored(user.id);
    const rowsBefore = await env.DB.prepare("SELECT count(*) AS n FROM usage_daily").first<{ n: number }>();

    const sent = await Promise.all([
      ...Array.from({ length: 30 }, () => call("/api/v1/me", { token: user.accessToken }).then(() => 0)),
      ...Array.from({ length: 6 }, (_, i) => uploadBytes(user, `file number ${i} `.repeat(100), `u${i}.txt`)),
      ...Array.from({ length: 4 }, () =>
        call(`/api/v1/media/${file.id}/content`, { token: user.accessToken }).then(async (r) => {
          expect(r.status).toBe(200);
          await r.arrayBuffer();
          return 0;
        }),
      ),
      ...Array.from({ length: 10 }, () => call("/api/v1/me", { token: other.accessToken }).then(() => 0)),
      // Anonymous calls are nobody's usage.
      ...Array.from({ length: 5 }, () => call("/api/v1/health").then(() => 0)),
    ]);
    const uploaded = sent.reduce((a, n) => a + n, 0);
    const media = (before.media?.calls ?? 0) + 6 + 4;
    const now = await flushUntil(user.id, (s) => s.me?.calls === 30 && s.media?.calls === media);
    expect(now.me?.calls).toBe(30);
    expect(now.media?.calls).toBe(media);
    expect(now.media!.bytes_in - (before.media?.bytes_in ?? 0)).toBe(uploaded);
    expect(now.media!.bytes_out - (before.media?.bytes_out ?? 0)).toBe(4 * 5000);
    expect((await flushUntil(other.id, (s) => s.me?.calls === 10)).me?.calls).toBe(10);
    // A handful of rows (user × day × class), not one per request.
    const rowsAfter = await env.DB.prepare("SELECT count(*) AS n FROM usage_daily").first<{ n: number }>();
    expect(rowsAfter!.n - rowsBefore!.n).toBeLessThanOrEqual(2);

    const usage = await usageOf(user.accessToken, "/api/v1/me/usage?days=7");
    expect(usage.days).toHaveLength(7);
    expect(usage.to).toBe(today());
    const day = usage.days.at(-1)!;
    // This very request may or may not be flushed yet; everything before it is.
    expect(day.apiCallsByClass).toMatchObject({ me: 30, media });
    expect(day.bytesUploaded).toBe(now.media!.bytes_in + (now.me?.bytes_in ?? 0));
    expect(day.bytesServed).toBeGreaterThanOrEqual(4 * 5000);
  });

  it("jobs by type and outcome and credits spent come from the job rows and the ledger; admins see anyone's", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const ok = await jobRow(user.id, { status: "succeeded" });
    await jobRow(user.id, { status: "succeeded" });
    const failed = await jobRow(user.id, { status: "failed", errorCode: "trace_failed" });
    const old = await jobRow(user.id, { status: "succeeded", createdAt: yesterday });
    // A batch and its child count once.
    const batch = await jobRow(user.id, { status: "succeeded" });
    await jobRow(user.id, { status: "succeeded", parentId: batch });
    const ledger = (ref: string, kind: string, amount: number, at = new Date().toISOString()) =>
      env.DB.prepare(
        "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
        .bind(`crd_${crypto.randomUUID().slice(0, 12)}`, user.id, kind, amount, ref, at)
        .run();
    await ledger(ok, "reserve", -10);
    await ledger(ok, "commit", 0);
    await ledger(failed, "reserve", -10);
    await ledger(failed, "release", 10);
    await ledger(old, "reserve", -4, yesterday);
    await ledger(old, "commit", 0, yesterday);

    const mine = await usageOf(user.accessToken, "/api/v1/me/usage?days=2");
    const seen = await usageOf(admin.accessToken, `/api/v1/admin/users/${user.id}/usage?days=2`);
    for (const usage of [mine, seen]) {
      const [first, second] = usage.days;
      expect(second!.jobs).toEqual(
        expect.arrayContaining([
          { type: "vectorize", outcome: "succeeded", count: 3 },
          { type: "vectorize", outcome: "failed", count: 1 },
        ]),
      );
      expect(second!.jobs).toHaveLength(2);
      expect(second!.creditsSpent).toBe(10);
      expect(first!.jobs).toEqual([{ type: "vectorize", outcome: "succeeded", count: 1 }]);
      expect(first!.creditsSpent).toBe(4);
      expect(usage.totals).toMatchObject({ jobs: 5, creditsSpent: 14 });
    }

    await expectProblem(await call(`/api/v1/admin/users/${user.id}/usage`, { token: user.accessToken }), 403);
    await expectProblem(
      await call("/api/v1/admin/users/usr_00000000000000000000/usage", { token: admin.accessToken }),
      404,
    );
    await expectProblem(await call("/api/v1/me/usage?days=0", { token: user.accessToken }), 422);
    await expectProblem(await call("/api/v1/me/usage"), 401);
  });
  it("what a metrics object was sent survives the object's eviction before its alarm (memory lost, storage kept)", async () => {
    const user = await newUser();
    const shard = metricsShard(env, 1);
    await shard.flush();
    const at = Date.now();
    await shard.record([
      {
        at,
        route: "POST /api/v1/media",
        status: 201,
        durationMs: 9,
        userId: user.id,
        bytesIn: 500,
        bytesOut: 40,
      },
      {
        at,
        route: "GET /api/v1/media",
        status: 200,
        durationMs: 4,
        userId: user.id,
        bytesIn: 0,
        bytesOut: 900,
      },
    ]);
    // An idle object is evicted after ~10 s, as its alarm comes due: a new instance over the same
    // storage is what runs the alarm then.
    await runInDurableObject(shard, async (_evicted: MetricsAggregator, state) => {
      expect(await new MetricsAggregator(state, env).flush()).toBe(3);
    });
    expect(await stored(user.id)).toEqual({ media: { c: "media", calls: 2, bytes_in: 500, bytes_out: 940 } });
    // Written once: the pending entry left storage with the write.
    expect(await shard.flush()).toBe(0);
    expect(await stored(user.id)).toEqual({ media: { c: "media", calls: 2, bytes_in: 500, bytes_out: 940 } });
  });
  it("a backlog beyond one flush's read is written by the next flush, set to run at once, each call counted once", async () => {
    const user = await newUser();
    const shard = metricsShard(env, 2);
    await shard.flush();
    const at = Date.now();
    const calls = ENTRIES_PER_FLUSH + 3;
    // One record call per pending entry, as isolates send them.
    for (let i = 0; i < calls; i++)
      await shard.record([
        {
          at,
          route: "GET /api/v1/jobs",
          status: 200,
          durationMs: 2,
          userId: user.id,
          bytesIn: 0,
          bytesOut: 1,
        },
      ]);
    await runInDurableObject(shard, async (aggregator: MetricsAggregator, state) => {
      expect(await aggregator.flush()).toBe(2);
      // The rest waits for an alarm due now, not FLUSH_INTERVAL_MS later.
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(Date.now());
      expect((await state.storage.list({ prefix: "pending:" })).size).toBe(3);
    });
    // Whether that alarm or this flush writes the rest, every call is counted exactly once.
    await shard.flush();
    expect((await stored(user.id)).jobs).toMatchObject({ calls, bytes_out: calls });
  });

  it("a flush that fails keeps exactly what it didn't write, and the next one writes it once", async () => {
    const user = await newUser();
    const shard = metricsShard(env, 0);
    await shard.flush();
    const at = Date.now();
    const sample = (route: string) => ({
      at,
      route,
      status: 200,
      durationMs: 3,
      userId: user.id,
      bytesIn: 7,
      bytesOut: 11,
    });
    // 60 route classes: two chunks of upserts, the second of which fails.
    const samples = Array.from({ length: 60 }, (_, i) =>
      sample(`GET /api/v1/class${String(i).padStart(2, "0")}`),
    );
    await env.DB.prepare(
      `CREATE TRIGGER test_usage_fails BEFORE INSERT ON usage_daily WHEN NEW.route_class = 'class55'
       BEGIN SELECT RAISE(ABORT, 'usage write failed'); END`,
    ).run();
    try {
      await shard.record(samples);
      // Inside the object, so the failure is this test's to catch rather than an RPC's to report.
      await runInDurableObject(shard, async (aggregator: MetricsAggregator) => {
        await expect(aggregator.flush()).rejects.toThrow(/usage write failed/);
      });
    } finally {
      await env.DB.prepare("DROP TRIGGER test_usage_fails").run();
    }
    await shard.record([sample("GET /api/v1/class55")]);
    await shard.flush();
    const rows = await stored(user.id);
    expect(Object.keys(rows)).toHaveLength(60);
    for (const [name, row] of Object.entries(rows)) {
      expect(row, name).toMatchObject({
        calls: name === "class55" ? 2 : 1,
        bytes_in: name === "class55" ? 14 : 7,
      });
    }
  });
});
