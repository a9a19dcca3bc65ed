import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getDb } from "../src/db/client";
import { flushMetrics } from "../src/metrics/flush";
import { BUFFER_MS } from "../src/metrics/isolate-buffer";
import { percentile } from "../src/metrics/query";
import { flushRollups } from "../src/metrics/rollup";
import { METRICS_SHARDS, metricsShard } from "../src/metrics/shards";
import { call, expectProblem, newUser } from "./helpers/api";

/** The request counts D1 holds per (route, status class), after every shard flushed. */
async function counted(route: string): Promise<Record<string, number>> {
  const rows = await env.DB.prepare(
    "SELECT status_class AS c, sum(count) AS n FROM metric_rollups WHERE route = ? GROUP BY status_class",
  )
    .bind(route)
    .all<{ c: string; n: number }>();
  return Object.fromEntries(rows.results.map((r) => [r.c, r.n]));
}

/** Samples are recorded after the answer (waitUntil): flush until D1 has `expected`, or give up. */
async function flushUntil(route: string, expected: Record<string, number>) {
  for (let i = 0; i < 50; i++) {
    await flushMetrics(env);
    const now = await counted(route);
    if (JSON.stringify(now) === JSON.stringify(expected)) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return counted(route);
}

describe("request metrics (#17)", () => {
  it("rolls concurrent requests up per minute, route and status class, with no D1 write per request", async () => {
    // Test files share the database: count on top of what earlier requests left, flushed first.
    await flushMetrics(env);
    const health = await counted("GET /api/v1/health");
    const me = await counted("GET /api/v1/me");
    const before = await env.DB.prepare("SELECT count(*) AS n FROM metric_rollups").first<{ n: number }>();
    await Promise.all([
      ...Array.from({ length: 40 }, () => call("/api/v1/health")),
      ...Array.from({ length: 15 }, () => call("/api/v1/me")),
    ]);
    const healthAfter = { ...health, "2xx": (health["2xx"] ?? 0) + 40 };
    const meAfter = { ...me, "4xx": (me["4xx"] ?? 0) + 15 };
    expect(await flushUntil("GET /api/v1/health", healthAfter)).toEqual(healthAfter);
    expect(await flushUntil("GET /api/v1/me", meAfter)).toEqual(meAfter);
    // A few rollup rows, not one row per request.
    const after = await env.DB.prepare("SELECT count(*) AS n FROM metric_rollups").first<{ n: number }>();
    expect(after!.n - before!.n).toBeLessThanOrEqual(2 * 2);
    const row = await env.DB.prepare(
      "SELECT count, sum_ms, max_ms, buckets FROM metric_rollups WHERE route = 'GET /api/v1/health'",
    ).all<{ count: number; buckets: string }>();
    for (const r of row.results) {
      expect(JSON.parse(r.buckets).reduce((a: number, n: number) => a + n, 0)).toBe(r.count);
    }
  });

  it("an isolate sends its buffered samples to a metrics object by itself within BUFFER_MS (no flush of the isolate asked)", async () => {
    const total = async () =>
      (await env.DB.prepare(
        "SELECT coalesce(sum(count), 0) AS n FROM metric_rollups WHERE route = 'GET /api/v1/health'",
      ).first<{
        n: number;
      }>())!.n;
    await flushMetrics(env);
    const before = await total();
    await Promise.all(Array.from({ length: 12 }, () => call("/api/v1/health")));
    await new Promise((r) => setTimeout(r, BUFFER_MS + 500));
    // Only the objects are flushed here: what they hold came from the isolate's own send.
    for (let shard = 0; shard < METRICS_SHARDS; shard++) await metricsShard(env, shard).flush();
    expect((await total()) - before).toBe(12);
  });

  it("merges flushes of the same minute by addition, buckets element-wise", async () => {
    const db = getDb(env.DB);
    const base = { minute: "2026-11-30T10:00", route: "GET /merge-test", statusClass: "2xx" };
    await flushRollups(db, [
      { ...base, count: 2, sumMs: 30, maxMs: 20, buckets: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    ]);
    await flushRollups(db, [
      { ...base, count: 3, sumMs: 600, maxMs: 400, buckets: [0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0] },
    ]);
    const r = await env.DB.prepare(
      "SELECT count, sum_ms, max_ms, buckets FROM metric_rollups WHERE route = 'GET /merge-test'",
    ).first<{ count: number; sum_ms: number; max_ms: number; buckets: string }>();
    expect(r).toMatchObject({ count: 5, sum_ms: 630, max_ms: 400 });
    expect(JSON.parse(r!.buckets)).toEqual([1, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    // p50 in the ≤25 ms bucket, p95 in the ≤500 ms one (capped by the slowest request).
    expect(percentile(JSON.parse(r!.buckets), 0.5, 400)).toBe(25);
    expect(percentile(JSON.parse(r!.buckets), 0.95, 400)).toBe(400);
  });

  it("GET /admin/metrics: per-route rate, percentiles and error rate, and job figures; admins only", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    await Promise.all(Array.from({ length: 5 }, () => call("/api/v1/health")));
    await flushUntil("GET /api/v1/health", await counted("GET /api/v1/health"));
    await new Promise((r) => setTimeout(r, 300));
    await flushMetrics(env);
    const res = await call("/api/v1/admin/metrics?minutes=10", { token: admin.accessToken });
    expect(res.status).toBe(200);
    const body = await res.json<{
      requests: {
        total: { requests: number };
        routes: { route: string; requests: number; errorRate: number; p95Ms: number }[];
      };
      jobs: { deadLettered: number; failureRate: number };
    }>();
    const health = body.requests.routes.find((r) => r.route === "GET /api/v1/health")!;
    expect(health.requests).toBeGreaterThanOrEqual(5);
    expect(health.errorRate).toBe(0);
    expect(health.p95Ms).toBeGreaterThanOrEqual(0);
    expect(body.requests.total.requests).toBeGreaterThanOrEqual(health.requests);
    expect(typeof body.jobs.deadLettered).toBe("number");
    await expectProblem(await call("/api/v1/admin/metrics", { token: user.accessToken }), 403);
    await expectProblem(await call("/api/v1/admin/metrics?minutes=0", { token: admin.accessToken }), 422);
  });
});
