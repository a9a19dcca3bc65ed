import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { runMinutely } from "../src/scheduled";
import { call, expectProblem, newUser, type TestUser } from "./helpers/api";
import { jobRow } from "./helpers/jobs";
import { mailTo, settledMailCount, waitForMail } from "./helpers/mail";

const receiver = env.TEST_WEBHOOK_RECEIVER;
const MINUTE = 60_000;

interface Rule {
  id: string;
  state: "ok" | "firing";
  lastValue: number | null;
}
interface AlertEvent {
  ruleId: string;
  kind: "fired" | "resolved";
  value: number;
}

async function createRule(admin: TestUser, json: Record<string, unknown>): Promise<Rule> {
  const res = await call("/api/v1/admin/alerts", { method: "POST", token: admin.accessToken, json });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ rule: Rule }>()).rule;
}

async function history(admin: TestUser, ruleId: string): Promise<AlertEvent[]> {
  const res = await call(`/api/v1/admin/alerts/events?ruleId=${ruleId}`, { token: admin.accessToken });
  expect(res.status).toBe(200);
  return (await res.json<{ items: AlertEvent[] }>()).items;
}

async function received(box: string): Promise<{ headers: Record<string, string>; body: string }[]> {
  return (await fetch(`${receiver}/boxes/${box}`)).json();
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A job the dead-letter queue gave up on at `at`. */
async function deadLetter(userId: string, at: Date) {
  const id = await jobRow(userId, { status: "failed", errorCode: "attempts_exhausted" });
  await env.DB.prepare("UPDATE jobs SET finished_at = ? WHERE id = ?").bind(at.toISOString(), id).run();
}

describe("alerts (#17)", () => {
  it("a rule fires once and resolves once across repeated and concurrent cron runs: one mail and one signed webhook each", async () => {
    const admin = await newUser({ role: "admin" });
    const box = `alerts-${crypto.randomUUID()}`;
    const hook = await call("/api/v1/webhooks", {
      method: "POST",
      token: admin.accessToken,
      json: { url: `${receiver}/hooks/${box}`, events: ["alert.fired", "alert.resolved"] },
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    const { secret } = await hook.json<{ secret: string }>();
    const ops = `ops-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const rule = await createRule(admin, {
      name: "Dead letters",
      signal: "dead_letters",
      threshold: 0,
      email: ops,
      webhook: true,
    });

    // A day ahead: dead letters that other test files left (they share the database) fall outside
    // every window this test measures.
    const t0 = new Date(Date.now() + 24 * 60 * MINUTE);
    await runMinutely(env, t0);
    expect(await history(admin, rule.id)).toEqual([]);

    await deadLetter(admin.id, new Date(t0.getTime() + 30_000));
    const t1 = new Date(t0.getTime() + MINUTE);
    // Once, then again on later minutes, and two runs of the same minute at once.
    await runMinutely(env, t1);
    await Promise.all([runMinutely(env, t1), runMinutely(env, t1)]);
    await runMinutely(env, new Date(t1.getTime() + MINUTE));
    expect((await history(admin, rule.id)).map((e) => [e.kind, e.value])).toEqual([["fired", 1]]);
    await waitForMail(ops, /^\[ALERT\] Dead letters is firing$/);

    // Past the window with no new dead letters: resolved, once, however often the cron runs.
    const t2 = new Date(t1.getTime() + 10 * MINUTE);
    await Promise.all([runMinutely(env, t2), runMinutely(env, t2)]);
    await runMinutely(env, new Date(t2.getTime() + MINUTE));
    await runMinutely(env, new Date(t2.getTime() + 2 * MINUTE));
    expect((await history(admin, rule.id)).map((e) => e.kind)).toEqual(["resolved", "fired"]);
    await waitForMail(ops, /^\[RESOLVED\] Dead letters$/);
    expect(await settledMailCount(ops)).toBe(2);
    const [fired] = await mailTo(ops);
    expect(fired!.text).toContain("dead_letters is 1, above its threshold of 0");

    const deliveries = await waitUntil("two webhook deliveries", async () => {
      const list = await received(box);
      return list.length >= 2 ? list : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await received(box)).toHaveLength(2);
    const verifier = new Webhook(secret);
    const bodies = deliveries.map(
      (d) => verifier.verify(d.body, d.headers) as { type: string; data: { alert: { ruleId: string } } },
    );
    expect(bodies.map((b) => b.type).sort()).toEqual(["alert.fired", "alert.resolved"]);
    expect(bodies.every((b) => b.data.alert.ruleId === rule.id)).toBe(true);
  });

  it("measures the error rate from the rollups; admins manage rules (audited), nobody else", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const rule = await createRule(admin, {
      name: "Errors",
      signal: "error_rate",
      threshold: 50,
      windowMinutes: 5,
    });
    const now = new Date();
    const minute = now.toISOString().slice(0, 16);
    // A minute of mostly 5xx answers: far over 50 % of the window, whatever else the requests of
    // this run (test files share the database) added to it.
    const earlier = await env.DB.prepare("SELECT coalesce(sum(count), 0) AS n FROM metric_rollups").first<{
      n: number;
    }>();
    const errors = 2 * earlier!.n + 1000;
    await env.DB.prepare(
      `INSERT INTO metric_rollups (minute, route, status_class, count, sum_ms, max_ms, buckets)
       VALUES (?, 'GET /alert-test', '5xx', ?, 3000, 10, ?),
              (?, 'GET /alert-test', '2xx', 1, 10, 10, '[1,0,0,0,0,0,0,0,0,0,0,0]')`,
    )
      .bind(minute, errors, JSON.stringify([errors, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), minute)
      .run();
    await runMinutely(env, now);
    const list = await call("/api/v1/admin/alerts", { token: admin.accessToken });
    const [listed] = (await list.json<{ items: Rule[] }>()).items.filter((r) => r.id === rule.id);
    expect(listed).toMatchObject({ state: "firing" });
    expect(listed!.lastValue).toBeGreaterThan(50);

    // Switching it off starts it over, silently.
    const off = await call(`/api/v1/admin/alerts/${rule.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { enabled: false },
    });
    expect(off.status).toBe(200);
    expect((await off.json<{ rule: Rule }>()).rule.state).toBe("ok");
    expect((await history(admin, rule.id)).map((e) => e.kind)).toEqual(["fired"]);

    const bad = (json: unknown) =>
      call("/api/v1/admin/alerts", { method: "POST", token: admin.accessToken, json });
    await expectProblem(await bad({ name: "x", signal: "cpu", threshold: 1 }), 422);
    await expectProblem(await bad({ name: "x", signal: "p95_ms", threshold: -1 }), 422);
    await expectProblem(await bad({ name: "x", signal: "p95_ms", threshold: 1, email: "nope" }), 422);
    await expectProblem(await bad({ name: "x", signal: "p95_ms", threshold: 1, windowMinutes: 0 }), 422);
    await expectProblem(
      await call("/api/v1/admin/alerts", {
        method: "POST",
        token: user.accessToken,
        json: { name: "x", signal: "p95_ms", threshold: 1 },
      }),
      403,
    );
    await expectProblem(await call("/api/v1/admin/alerts/events", { token: user.accessToken }), 403);

    const del = await call(`/api/v1/admin/alerts/${rule.id}`, { method: "DELETE", token: admin.accessToken });
    expect(del.status).toBe(204);
    await expectProblem(
      await call(`/api/v1/admin/alerts/${rule.id}`, { method: "DELETE", token: admin.accessToken }),
      404,
    );
    // The history outlives the rule.
    expect(await history(admin, rule.id)).toHaveLength(1);
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE target_id = ? ORDER BY created_at, action",
    )
      .bind(rule.id)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action).sort()).toEqual([
      "alert_rule.created",
      "alert_rule.deleted",
      "alert_rule.updated",
    ]);
  });
});
