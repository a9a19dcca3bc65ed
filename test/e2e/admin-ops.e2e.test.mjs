// The admin's operations screens in Chromium (issue 17): the job explorer (a job opened with its
// attempts and source, a bulk replay's count), the audit trail, announcements — written by the
// admin, shown as a banner, dismissed for good — request metrics per route, uptime, usage per user (Admin and Account), and an alert rule firing
// into the history. Every screen is checked by axe, light and dark.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { assertAxeClean, FIXTURES, newPage, session, shots, signIn, useSession } from "./browser.mjs";

const ADMIN = { email: "ops-admin@e2e.test", password: "ops-admin-e2e-Password-73" };

useSession({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }, { scheduled: true });

test("admin: job explorer, audit trail and announcements, each screen axe-clean", async () => {
  const { page, context, errors } = await newPage();
  await signIn(page, ADMIN);
  const post = (url, options) =>
    page.request.post(url, { ...options, headers: { origin: session.base, ...(options.headers ?? {}) } });

  // A job to explore: a test-priced trace of a fixture.
  const up = await post("/api/v1/media", {
    multipart: {
      file: {
        name: "crow-for-ops.png",
        mimeType: "image/png",
        buffer: readFileSync(path.join(FIXTURES, "animals__birds__crow_01.png")),
      },
    },
  });
  assert.equal(up.status(), 201);
  const media = (await up.json()).media;
  const job = await post("/api/v1/vectorize", { data: { mediaId: media.id, pricing: "test" } });
  assert.equal(job.status(), 202, await job.text());

  await page.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("tab", { name: "All jobs" }).click();
  await page.getByLabel("Source file name").fill("crow-for-ops");
  await page.getByLabel("Source file name").press("Tab");
  const row = page.locator("[data-testid=jobs-table] tbody tr").filter({ hasText: ADMIN.email });
  await row.first().waitFor();
  await shots(page, "20-admin-job-explorer");
  await row.first().getByRole("button", { name: /Open/ }).click();
  const detail = page.getByTestId("job-detail");
  await detail.getByRole("link", { name: "crow-for-ops.png" }).waitFor();
  await page.getByTestId("attempts-table").waitFor();
  await shots(page, "21-admin-job-detail");
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).last().click();

  await page.getByRole("button", { name: "Replay failed…" }).click();
  await page.getByTestId("bulk-count").waitFor();
  assert.match(await page.getByTestId("bulk-count").textContent(), /^0 jobs match/);
  await shots(page, "22-admin-replay-count");
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();

  // The audit trail has the admin's sign-in, with its IP column.
  await page.getByRole("tab", { name: "Audit" }).click();
  await page.locator("[data-testid=audit-table] td code", { hasText: "auth.sign_in" }).first().waitFor();
  await shots(page, "23-admin-audit");

  // An announcement: written here, shown as a banner (Markdown drawn as elements), dismissed for good.
  await page.getByRole("tab", { name: "Announcements" }).click();
  await page.getByLabel("Title").fill("Maintenance tonight");
  await page
    .getByLabel(/^Text/)
    .fill(
      "Uploads pause at **22:00 UTC**. <img src=x onerror=alert(1)> See [status](https://status.example.com).",
    );
  await page.getByLabel("Severity").selectOption("warning");
  await page.getByLabel("Format").selectOption("markdown");
  await page.getByRole("button", { name: "Announce" }).click();
  await page
    .locator("[data-testid=announcements-table]")
    .getByRole("cell", { name: "Maintenance tonight", exact: true })
    .waitFor();
  await shots(page, "24-admin-announcements");
  await page.reload({ waitUntil: "domcontentloaded" });
  const banner = page.getByTestId("announcement").filter({ hasText: "Maintenance tonight" });
  await banner.waitFor();
  assert.equal(await banner.locator("strong", { hasText: "22:00 UTC" }).count(), 1, "bold is drawn");
  assert.equal(await banner.locator("img").count(), 0, "HTML in the text stays text");
  assert.equal(
    await banner.getByRole("link", { name: "status" }).getAttribute("href"),
    "https://status.example.com",
  );
  await shots(page, "25-announcement-banner");
  await banner.getByRole("button", { name: /Dismiss/ }).click();
  await banner.waitFor({ state: "detached" });
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.getByRole("heading", { name: "Admin" }).waitFor();
  assert.equal(await page.getByTestId("announcement").count(), 0, "a dismissed banner stays closed");

  // Metrics: the requests of this test, rolled up per route (the objects flush every 10 s).
  await page.waitForTimeout(11_000);
  await page.getByRole("tab", { name: "Metrics" }).click();
  await page.locator("[data-testid=metrics-routes] code", { hasText: "GET /api/v1/me" }).first().waitFor();
  await page.locator("[data-testid=metrics-totals]").getByText("requests/s").waitFor();
  // Jobs per minute: the trace started above is one attempt in some minute.
  assert.match(
    await page.getByTestId("metrics-jobs").getAttribute("aria-label"),
    /^Job attempts per minute: \d\d:\d\d [1-9]/,
  );
  await shots(page, "26-admin-metrics");
  // Health: uptime from the minutely probes (none yet under wrangler dev, which runs no cron by itself).
  // Reached from the keyboard: the tab list is one tab stop, arrow keys move and select.
  await page.getByRole("tab", { name: "Metrics" }).press("ArrowLeft");
  const health = page.getByRole("tab", { name: "Health" });
  assert.equal(await health.getAttribute("aria-selected"), "true");
  assert.ok(await health.evaluate((el) => el === document.activeElement), "the selected tab has the focus");
  assert.equal(await page.getByRole("tab", { name: "Metrics" }).getAttribute("tabindex"), "-1");
  await page
    .getByTestId("uptime")
    .getByText(/Uptime, last 24 hours/)
    .waitFor();
  await shots(page, "27-admin-health-uptime");
  // Usage: this admin's own calls (flushed with the metrics above), in Admin → Users and in Account.
  await page.getByRole("tab", { name: "Users" }).click();
  const mine = page.locator("[data-testid=admin-users] tbody tr").filter({ hasText: ADMIN.email });
  await mine.getByRole("button", { name: "Usage" }).click();
  await page
    .getByTestId("usage-days")
    .getByText(/media \d+/)
    .first()
    .waitFor();
  await shots(page, "28-admin-user-usage");
  await page.getByRole("link", { name: "Account" }).click();
  await page
    .getByTestId("usage-days")
    .getByText(/media \d+/)
    .first()
    .waitFor();
  await shots(page, "29-account-usage");

  // Alerts: a rule that this test's own requests break (p95 above 0 ms), listed as ok until the
  // minutely cron evaluates it, then firing with one "fired" row in the history and one mail.
  await page.getByRole("link", { name: "Admin" }).click();
  await page.getByRole("tab", { name: "Alerts" }).click();
  await page.getByLabel("Name").fill("Any latency at all");
  await page.getByLabel("Signal").selectOption("p95_ms");
  await page.getByLabel("Fires above").fill("0");
  await page.getByLabel(/^Mail to/).fill(ADMIN.email);
  await page.getByRole("button", { name: "Add rule" }).click();
  const rule = page.locator("[data-testid=alert-rules] tbody tr").filter({ hasText: "Any latency at all" });
  await rule.getByRole("cell", { name: "ok", exact: true }).waitFor();
  const cron = await fetch(
    `${session.base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}`,
  );
  assert.equal(cron.status, 200, await cron.text());
  // The cron's work runs after its answer (waitUntil): wait for the rule's state to change.
  for (let tries = 0; ; tries++) {
    const { items } = await (await page.request.get("/api/v1/admin/alerts")).json();
    if (items.find((r) => r.name === "Any latency at all")?.state === "firing") break;
    assert.ok(tries < 60, `the rule did not fire: ${JSON.stringify(items)}`);
    await page.waitForTimeout(500);
  }
  await page.getByRole("tab", { name: "Users" }).click();
  await page.getByRole("tab", { name: "Alerts" }).click();
  await rule.getByRole("cell", { name: "firing", exact: true }).waitFor();
  const fired = page.locator("[data-testid=alert-events] tbody tr").filter({ hasText: "Any latency at all" });
  await fired.getByRole("cell", { name: "fired", exact: true }).waitFor();
  assert.equal(await fired.count(), 1, "one history row per transition");
  await shots(page, "30-admin-alerts");

  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});
