import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { jobRow } from "../helpers/jobs";
import { approvedOrder, capture, installPayPalStandIn } from "../helpers/paypal";
import { uploadOk } from "../media/helpers";
import { organize, seed } from "../organize/helpers";

const standIn = installPayPalStandIn();

async function keyFor(user: TestUser, scopes: string[]): Promise<string> {
  const res = await call("/api/v1/api-keys", {
    method: "POST",
    token: user.accessToken,
    json: { name: "k", scopes },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ secret: string }>()).secret;
}

describe("an admin's API key acts on other users only with the admin scope (#5)", () => {
  it("without it: no list of everyone's jobs, and other users' jobs, files, reports and plans are 404", async () => {
    const admin = await newUser({ role: "admin" });
    const other = await newUser();
    await seed(other.id, [
      {
        name: "a.pdf",
        folder: "/in",
        mime: "application/pdf",
        kind: "document",
        size: 10,
        sha256: "cd".repeat(32),
        createdAt: new Date().toISOString(),
      },
    ]);
    const plan = await organize(other, { dryRun: true });
    expect(plan.status).toBe("succeeded");

    const narrow = await keyFor(admin, ["jobs:read", "jobs:write", "media:read"]);
    await expectProblem(await call("/api/v1/jobs?scope=all", { token: narrow }), 403);
    for (const path of [`/jobs/${plan.id}`, `/jobs/${plan.id}/files`, `/jobs/${plan.id}/report`]) {
      await expectProblem(await call(`/api/v1${path}`, { token: narrow }), 404);
    }
    await expectProblem(await call(`/api/v1/jobs/${plan.id}/apply`, { method: "POST", token: narrow }), 404);
    await expectProblem(await call(`/api/v1/jobs/${plan.id}/cancel`, { method: "POST", token: narrow }), 404);
    // The plan was not applied.
    const after = await call(`/api/v1/jobs/${plan.id}/report?format=json`, { token: other.accessToken });
    expect((await after.json<{ summary: { state: string } }>()).summary.state).toBe("planned");

    // With the admin scope, and with the admin's own session, the same reads work.
    const full = await keyFor(admin, ["jobs:read", "admin"]);
    for (const token of [full, admin.accessToken]) {
      expect((await call(`/api/v1/jobs/${plan.id}`, { token })).status).toBe(200);
      expect((await call("/api/v1/jobs?scope=all", { token })).status).toBe(200);
    }
  });
});

describe("every admin-only power checks the admin scope as well as the role (#5)", () => {
  it("an admin's key without the admin scope is 403 on every admin route; with it, each one answers", async () => {
    const admin = await newUser({ role: "admin" });
    const other = await newUser();
    const { orderId, paymentId } = await approvedOrder(standIn, other);
    expect((await capture(other, orderId)).status).toBe(200);
    const logo = await uploadOk(other, "<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg");
    const jobId = await jobRow(other.id, { status: "failed", errorCode: "trace_failed", mediaId: logo.id });
    const made = await call("/api/v1/admin/announcements", {
      method: "POST",
      token: admin.accessToken,
      json: { title: "Scope check", body: "Made with the admin's session." },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const { announcement } = await made.json<{ announcement: { id: string } }>();
    const rule = await call("/api/v1/admin/alerts", {
      method: "POST",
      token: admin.accessToken,
      json: { name: "Scope check", signal: "p95_ms", threshold: 5000 },
    });
    expect(rule.status, await rule.clone().text()).toBe(201);
    const ruleId = (await rule.json<{ rule: { id: string } }>()).rule.id;
    // One request per admin operation; the served document must list exactly these, so a new admin
    // route can't go without this check.
    const requests: Record<string, { path: string; json?: unknown }> = {
      "GET /admin/users": { path: "/admin/users" },
      "PATCH /admin/users/{id}": { path: `/admin/users/${other.id}`, json: { disabled: true } },
      "DELETE /admin/users/{id}/sessions": { path: `/admin/users/${other.id}/sessions` },
      "GET /admin/stats": { path: "/admin/stats" },
      "POST /admin/jobs/retry": { path: "/admin/jobs/retry", json: { allFailed: true } },
      "GET /admin/jobs/stats": { path: "/admin/jobs/stats" },
      "GET /admin/dev-mail": { path: "/admin/dev-mail" },
      "GET /admin/payments": { path: "/admin/payments" },
      "POST /admin/payments/{id}/refund": {
        path: `/admin/payments/${paymentId}/refund`,
        json: { reason: "scope check" },
      },
      "POST /admin/users/{id}/credits": {
        path: `/admin/users/${other.id}/credits`,
        json: { amount: 5, reason: "scope check" },
      },
      "PATCH /admin/users/{id}/quota": {
        path: `/admin/users/${other.id}/quota`,
        json: { files: 1000, reason: "scope check" },
      },
      "GET /admin/audit": { path: "/admin/audit" },
      "POST /admin/announcements": {
        path: "/admin/announcements",
        json: { title: "Scoped", body: "Made with the admin key." },
      },
      "GET /admin/announcements": { path: "/admin/announcements" },
      "PATCH /admin/announcements/{id}": {
        path: `/admin/announcements/${announcement.id}`,
        json: { severity: "warning" },
      },
      "DELETE /admin/announcements/{id}": { path: `/admin/announcements/${announcement.id}` },
      "GET /admin/metrics": { path: "/admin/metrics" },
      "GET /admin/users/{id}/usage": { path: `/admin/users/${other.id}/usage` },
      "POST /admin/alerts": {
        path: "/admin/alerts",
        json: { name: "Scoped", signal: "dead_letters", threshold: 0 },
      },
      "GET /admin/alerts": { path: "/admin/alerts" },
      "PATCH /admin/alerts/{id}": { path: `/admin/alerts/${ruleId}`, json: { threshold: 9000 } },
      "DELETE /admin/alerts/{id}": { path: `/admin/alerts/${ruleId}` },
      "GET /admin/alerts/events": { path: "/admin/alerts/events" },
      "GET /admin/health": { path: "/admin/health" },
      "GET /admin/jobs": { path: "/admin/jobs" },
      // Without confirmCount these only count: nothing is replayed or cancelled.
      "POST /admin/jobs/replay": { path: "/admin/jobs/replay", json: { filter: { owner: other.id } } },
      "POST /admin/jobs/cancel": { path: "/admin/jobs/cancel", json: { filter: { owner: other.id } } },
      "GET /admin/jobs/{id}": { path: `/admin/jobs/${jobId}` },
      "GET /admin/jobs/{id}/source": { path: `/admin/jobs/${jobId}/source` },
    };
    const doc = await (await call("/api/v1/openapi.json")).json<{ paths: Record<string, object> }>();
    const served = Object.entries(doc.paths).flatMap(([path, operations]) =>
      path.startsWith("/admin/") ? Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`) : [],
    );
    expect(served.sort()).toEqual(Object.keys(requests).sort());

    const everythingButAdmin = ["media:read", "media:write", "jobs:read", "jobs:write", "account:read"];
    const send = ([operation, { path, json }]: [string, { path: string; json?: unknown }], token: string) =>
      call(`/api/v1${path}`, { method: operation.split(" ")[0], token, json });
    const narrow = await keyFor(admin, everythingButAdmin);
    for (const operation of Object.entries(requests))
      await expectProblem(await send(operation, narrow), 403, "forbidden");
    // Nothing happened to the other user: still enabled, still signed in.
    expect((await call("/api/v1/me", { token: other.accessToken })).status).toBe(200);

    const scoped = await keyFor(admin, ["admin"]);
    for (const operation of Object.entries(requests)) {
      const res = await send(operation, scoped);
      expect(res.status, `${operation[0]}: ${await res.clone().text()}`).toBeLessThan(300);
    }
    await expectProblem(await call("/api/v1/me", { token: other.accessToken }), 401);
  });
});
