import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runMinutely } from "../../src/scheduled";
import { call, expectProblem, newUser } from "../helpers/api";

describe("health probes and uptime (#17)", () => {
  it("the minutely cron records one probe per minute; admins see uptime over 24 h / 7 d and the last failures", async () => {
    const admin = await newUser({ role: "admin" });
    // Uptime is the whole system's: start from no probes, whatever the cron runs of earlier test
    // files (they share the database) recorded.
    await env.DB.prepare("DELETE FROM health_probes").run();
    const now = Date.now();
    const minute = (back: number) => new Date(now - back * 60_000);
    for (const back of [3, 2, 1]) await runMinutely(env, minute(back));
    await runMinutely(env, minute(1)); // a doubled run of the same minute counts once
    // Two failed probes, as a broken store would have left them.
    for (const back of [90, 3000]) {
      await env.DB.prepare(
        'INSERT INTO health_probes (at, ok, checks, duration_ms) VALUES (?, 0, \'{"d1":"ok","r2":"fail","kv":"ok","queue":"ok"}\', 5)',
      )
        .bind(`${minute(back).toISOString().slice(0, 16)}Z`)
        .run();
    }
    const res = await call("/api/v1/admin/health", { token: admin.accessToken });
    expect(res.status).toBe(200);
    const body = await res.json<{
      day: { probes: number; uptime: number };
      week: { probes: number; uptime: number };
      lastFailures: { at: string; checks: Record<string, string> }[];
    }>();
    expect(body.day).toEqual({ probes: 4, uptime: 3 / 4 });
    expect(body.week).toEqual({ probes: 5, uptime: 3 / 5 });
    expect(body.lastFailures.map((f) => f.checks.r2)).toEqual(["fail", "fail"]);
    expect(body.lastFailures[0]!.at > body.lastFailures[1]!.at).toBe(true);
    await expectProblem(await call("/api/v1/admin/health", { token: (await newUser()).accessToken }), 403);
  });
});
