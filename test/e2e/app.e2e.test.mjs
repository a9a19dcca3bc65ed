// End-to-end tests of the web app in headless Debian Chromium (playwright-core), against a fresh
// `wrangler dev` with its own local state. Run with `npm run test:e2e` (which builds web/dist first).
// Screenshots of every screen, light and dark, land in test/e2e/screenshots/ (gitignored).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { crc32 } from "node:zlib";
import { Resvg } from "@resvg/resvg-js";
import { repoRoot } from "../../bench/lib/harness.mjs";
import {
  assertAxeClean,
  dropFiles,
  FIXTURES,
  newPage,
  session,
  shots,
  signIn,
  startSession,
  stopSession,
} from "./browser.mjs";

const ADMIN = { email: "admin@e2e.test", password: "admin-e2e-Password-91" };
const USER = { email: `ada+${Date.now()}@e2e.test`, password: "correct-horse-battery-9", name: "Ada" };
const IMAGES = [
  "animals__birds__crow_01.png",
  "buildings__homes__my_house_01.png",
  "computer__bluepane_01.png",
];

let base;

before(async () => {
  await startSession({
    RATE_LIMITS:
      "login-account=50/50,login-ip=200/200,register-ip=50/50,api-user=5000/5000,job-create=200/200,organize-user=100/100",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  base = session.base;
});

after(stopSession);

test("the client only calls paths that are in /api/v1/openapi.json", async (t) => {
  const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  const src = readFileSync(path.join(repoRoot, "web/src/api.ts"), "utf8");
  const routes = [...src.matchAll(/^\s+(\w+): \["(GET|POST|PUT|PATCH|DELETE)", "([^"]+)"\]/gm)];
  const optional = new Set(
    [...(src.match(/OPTIONAL_ROUTES[^=]*=\s*\[([^\]]*)\]/)?.[1] ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]),
  );
  assert.ok(routes.length > 40, "ROUTES parsed");
  const missing = [];
  for (const [, name, method, p] of routes) {
    const op = doc.paths?.[p]?.[method.toLowerCase()];
    if (!op) missing.push({ name, method, path: p });
  }
  const required = missing.filter((m) => !optional.has(m.name));
  assert.deepEqual(required, [], "every required client route is documented");
  if (missing.length)
    t.diagnostic(`not (yet) in the API: ${missing.map((m) => `${m.method} ${m.path}`).join(", ")}`);
});

test("sign up with per-field errors, upload by drag-and-drop, vectorize with Logo, download the SVG", async () => {
  const { page, context, errors } = await newPage();
  await page.goto("/", { waitUntil: "domcontentloaded" });
  await page.waitForURL(/\/signin/);
  await shots(page, "01-sign-in");

  // Per-field errors: client side first, then the server's weak-password answer.
  await page.goto("/signup", { waitUntil: "domcontentloaded" });
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Enter an email address").waitFor();
  await page.getByLabel("Email").fill(USER.email);
  await page.getByLabel("Password", { exact: true }).fill("password123");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator(".field.has-error").filter({ hasText: "Password" }).waitFor();
  await shots(page, "02-sign-up-errors");

  await page.getByLabel("Name (optional)").fill(USER.name);
  await page.getByLabel("Password", { exact: true }).fill(USER.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/library/);
  await page.getByText("No files here yet").waitFor();

  // Three clip-art fixtures, dropped on the library.
  await dropFiles(page, "[data-testid=dropzone]", IMAGES);
  await page.getByText("Uploads complete").waitFor({ timeout: 30_000 });
  await page.locator("[data-testid=media-card]").nth(2).waitFor();
  assert.equal(await page.locator("[data-testid=media-card]").count(), 3);
  await page.waitForFunction(
    () => {
      const imgs = [...document.querySelectorAll("[data-testid=media-card] img")];
      return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth > 2);
    },
    null,
    { timeout: 30_000 },
  );
  await shots(page, "03-library");

  // Details panel → Vectorize.
  await page.locator("[data-testid=media-card] .card-open").first().click();
  await page.locator(".details").getByRole("button", { name: "Save changes" }).waitFor();
  await shots(page, "04-library-details");

  // A share link names the address the app really is at: APP_ORIGIN follows the dev server's port.
  await page.locator(".details").getByRole("button", { name: "Create link" }).click();
  const shareUrl = await page.getByRole("textbox", { name: "Share link" }).inputValue();
  assert.ok(shareUrl.startsWith(`${base}/api/v1/shares/`), `share link ${shareUrl} is not under ${base}`);
  assert.equal((await fetch(shareUrl)).status, 200);
  await page.locator(".details").getByRole("button", { name: "Vectorize" }).click();
  await page.waitForURL(/\/vectorize\?media=/);
  await page.locator("label.preset", { hasText: "Logo" }).click();
  assert.ok(await page.getByRole("radio", { name: /Logo/ }).isChecked());
  await page.getByRole("button", { name: "Vectorize", exact: true }).click();
  // the price first, then the job
  await page.getByTestId("quote").getByText("This costs").waitFor();
  await page.getByRole("button", { name: "Confirm" }).click();
  const bar = page.getByRole("progressbar", { name: "Vectorize progress" });
  await bar.waitFor();
  await page.waitForFunction(
    () =>
      document.querySelector('[aria-label="Vectorize progress"]')?.getAttribute("aria-valuenow") === "100",
    null,
    { timeout: 60_000 },
  );
  await page.locator(".badge-succeeded").waitFor();
  await page.locator("[data-testid=side-by-side]").waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector("[data-testid=svg-result]");
    return img?.complete && img.naturalWidth > 0;
  });
  const stats = await page.locator("[data-testid=result-stats]").textContent();
  assert.match(stats, /paths/);
  await shots(page, "05-vectorize-result");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("[data-testid=download-svg]").click(),
  ]);
  const svgPath = await download.path();
  const svg = readFileSync(svgPath, "utf8");
  assert.match(svg, /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
  const rendered = new Resvg(svg).render(); // throws on malformed SVG
  assert.ok(rendered.width > 0 && rendered.height > 0);

  // Before/after slider and zoom are reachable by keyboard-operable controls.
  await page.getByRole("button", { name: "Before / after" }).click();
  await page.getByRole("slider", { name: "Before / after position" }).fill("30");
  await page.getByRole("button", { name: "Zoom in" }).click();
  await shots(page, "06-vectorize-slider");

  // Jobs: the job is listed as succeeded and opens its result.
  await page.getByRole("link", { name: "Jobs" }).click();
  await page.locator("[data-testid=jobs-table] .badge-succeeded").first().waitFor();
  await shots(page, "07-jobs");

  // Phone width: nothing overflows horizontally on the library.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/library", { waitUntil: "domcontentloaded" });
  await page.locator("[data-testid=media-card]").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal overflow at phone width (${overflow}px)`);
  await shots(page, "08-library-phone");

  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});

test("account: create an API key (secret shown once) and revoke it; users don't see admin", async () => {
  const { page, context, errors } = await newPage();
  // Wrong password first: a clear form-level message.
  await page.goto("/signin", { waitUntil: "domcontentloaded" });
  await page.getByLabel("Email").fill(USER.email);
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("form-error").filter({ hasText: "email or password is wrong" }).waitFor();

  await signIn(page, USER);
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { name: "API keys" }).waitFor();
  await page.getByLabel("Key name").fill("e2e key");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = await page.getByLabel("New API key").inputValue();
  assert.ok(secret.length > 20);
  await page.locator("[data-testid=api-keys]").getByText("e2e key").waitFor();
  await shots(page, "09-account");

  const withKey = () => fetch(`${base}/api/v1/media`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal((await withKey()).status, 200);
  await page.getByRole("button", { name: "Revoke e2e key" }).click();
  await page.getByText("No API keys yet.").waitFor();
  assert.equal((await withKey()).status, 401);

  // No admin link, and /admin says so.
  assert.equal(await page.getByRole("link", { name: "Admin" }).count(), 0);
  await page.goto("/admin", { waitUntil: "domcontentloaded" });
  await page.getByRole("heading", { name: "Not available" }).waitFor();
  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});

/** Rolls back the plan on screen (confirmed in the dialog) and waits for the rollback to succeed. */
async function rollBack(page) {
  await page.getByRole("button", { name: "Roll back" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
  await page.waitForFunction(
    () => document.querySelector("[data-testid=organize-job] h2")?.textContent?.includes("Rollback"),
    null,
    { timeout: 60_000 },
  );
  await page.locator("[data-testid=organize-job] .badge-succeeded").waitFor({ timeout: 60_000 });
}

test("organizer: dry run → apply → files moved → roll back", async (t) => {
  const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  if (!doc.paths?.["/organize"]) {
    t.skip("the organizer API (POST /organize) is not in this build yet");
    return;
  }
  const { page, context } = await newPage();
  await signIn(page, USER);
  await page.getByRole("link", { name: "Organizer" }).click();
  await page.getByRole("button", { name: "Run dry run" }).click();
  const job = page.locator("[data-testid=organize-job]");
  await job.locator(".badge-succeeded").waitFor({ timeout: 60_000 });
  await page.locator("[data-testid=plan-files] tbody tr").first().waitFor();
  await shots(page, "10-organizer-plan");
  await page.getByRole("button", { name: "Apply plan" }).click();
  await page.getByRole("button", { name: "Roll back" }).waitFor({ timeout: 60_000 });
  await page.locator("[data-testid=plan-files] .badge-moved").first().waitFor();
  const moved = await page.locator("[data-testid=plan-files] tbody").textContent();
  await shots(page, "11-organizer-applied");
  // The files really moved: the library shows folders other than the root.
  const list = await (
    await page.request.get(`${base}/api/v1/media?limit=100`, { headers: { "Cache-Control": "no-cache" } })
  ).json();
  assert.ok(
    list.items.some((m) => m.folder !== "/"),
    `some file left the root after apply (${moved.slice(0, 200)})`,
  );
  await rollBack(page);
  const back = await (
    await page.request.get(`${base}/api/v1/media?limit=100`, { headers: { "Cache-Control": "no-cache" } })
  ).json();
  assert.ok(
    back.items.every((m) => m.folder === "/"),
    "every file is back in the root",
  );
  assertAxeClean(page);
  await context.close();
});

/** Waits until the element's text matches; a timeout names the text it had. */
async function untilText(locator, pattern, timeoutMs = 30_000) {
  let text = "";
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    text = (await locator.textContent({ timeout: timeoutMs }).catch(() => "")) ?? "";
    if (pattern.test(text)) return text;
  }
  throw new Error(`waited for ${pattern}, the text is "${text}"`);
}

/** The PNG with a text chunk before IEND: other bytes, the same pixels (what re-saving with metadata does). */
function withTextChunk(png, text) {
  const data = Buffer.from(`Comment\0${text}`, "latin1");
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write("tEXt", 4, "latin1");
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]);
}

test("organizer v2: settings with a protected folder, rules editor with live counts, dedupe-only plan of the same picture, stacked", async (t) => {
  const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
  if (!doc.paths?.["/organize/rules"]) {
    t.skip("organizer rules (GET /organize/rules) are not in this build yet");
    return;
  }
  const { page, context, errors } = await newPage();
  await signIn(page, USER);
  const api = (p, options = {}) =>
    page.request.fetch(`${base}/api/v1${p}`, {
      ...options,
      headers: { origin: base, "Cache-Control": "no-cache", ...(options.headers ?? {}) },
    });
  // A copy of the crow with other bytes, the same pixels, in a folder we'll protect.
  const crow = readFileSync(path.join(FIXTURES, IMAGES[0]));
  const copy = await api("/media", {
    method: "POST",
    multipart: {
      folder: "/kept",
      file: { name: "crow-copy.png", mimeType: "image/png", buffer: withTextChunk(crow, "re-saved") },
    },
  });
  assert.equal(copy.status(), 201, await copy.text());
  const copyId = (await copy.json()).media.id;
  const library = (await (await api("/media?limit=100")).json()).items;
  const folderOf = new Map(library.map((m) => [m.id, m.folder]));
  const pngs = library.filter((m) => m.mime === "image/png").length;

  // Settings: protect /kept.
  await page.getByRole("link", { name: "Organizer" }).click();
  await page.getByRole("tab", { name: "Settings" }).click();
  const settings = page.locator("[data-testid=organize-settings]");
  await settings.getByLabel("Folder template").waitFor();
  await settings.getByLabel("Protected folders").fill("/kept");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await page.getByText("Organizer settings saved.").waitFor();
  const stored = await (await api("/organize/settings")).json();
  assert.deepEqual(stored.settings.protectedFolders, ["/kept"]);
  await shots(page, "18-organizer-settings");

  // Rules: the default set with live counts; a new rule moved to the top takes both crows.
  await page.getByRole("tab", { name: "Rules" }).click();
  await untilText(
    page.locator("[data-testid=rules-preview]"),
    new RegExp(`Preview of ${library.length} of ${library.length} files`),
  );
  const rules = page.locator("[data-testid=rules] > li");
  const defaults = await rules.count();
  assert.ok(defaults >= 5, `the default set has a rule per category (${defaults})`);
  assert.match(await rules.filter({ hasText: "Images" }).first().textContent(), new RegExp(`${pngs} files`));
  await page.getByRole("button", { name: "Add rule" }).click();
  const added = rules.last();
  await added.locator("summary").click();
  await added.getByLabel("Name", { exact: true }).fill("Crows");
  await added.getByLabel("Name pattern", { exact: true }).fill("*crow*");
  await added.getByLabel("To folder").fill("/Birds");
  const crows = rules.filter({ has: page.locator("summary", { hasText: "Crows" }) });
  for (let i = 0; i < defaults; i++) await crows.getByRole("button", { name: "Move up" }).click();
  const first = rules.first();
  assert.match(await first.locator("summary").textContent(), /Crows/);
  await untilText(first.locator("[data-testid=rule-count]"), /2 files.*\(1 protected\)/);
  assert.match(
    await rules.filter({ hasText: "Images" }).first().locator("[data-testid=rule-count]").textContent(),
    new RegExp(`^${pngs - 2} files`),
  );
  await shots(page, "19-organizer-rules");
  await page.getByRole("button", { name: "Save rules" }).click();
  await page.getByText("Rules saved.").waitFor();
  const saved = await (await api("/organize/rules")).json();
  assert.equal(saved.isDefault, false);
  assert.equal(saved.rules[0].name, "Crows");

  // Dedupe only, the same picture, extra copies stacked: nothing else moves.
  await page.getByRole("tab", { name: "Plan" }).click();
  await page.getByRole("combobox", { name: /^Plan/ }).selectOption("dedupe");
  await page.getByRole("combobox", { name: /^Duplicates are/ }).selectOption("pixels");
  await page.getByRole("combobox", { name: /^Extra copies/ }).selectOption("stack");
  await page.getByRole("button", { name: "Run dry run" }).click();
  const job = page.locator("[data-testid=organize-job]");
  await job.locator(".badge-succeeded").waitFor({ timeout: 60_000 });
  assert.match(await page.locator("[data-testid=organize-progress]").textContent(), /\d+ \/ \d+ files/);
  await page.locator("[data-testid=duplicate-totals]").getByText("1 group of the same picture").waitFor();
  const group = await page.locator("[data-testid=duplicate-groups]").textContent();
  assert.match(group, /\/kept\/crow-copy\.png[^(]*\(kept\)/, `the protected copy is kept (${group})`);
  await shots(page, "20-organizer-dedupe-plan");
  // The same plan's byte twins: none.
  await page.getByRole("combobox", { name: /^Review/ }).selectOption("bytes");
  await page.locator("[data-testid=duplicate-totals]").getByText("0 groups of identical bytes").waitFor();
  await page.getByRole("button", { name: "Apply plan" }).click();
  await page.getByRole("button", { name: "Roll back" }).waitFor({ timeout: 60_000 });
  const listed = await (await api("/media?limit=100")).json();
  assert.equal(listed.items.length, library.length - 1, "the stacked crow is hidden from the library");
  assert.ok(listed.items.some((m) => m.id === copyId));
  assert.ok(
    listed.items.every((m) => m.folder === folderOf.get(m.id)),
    "dedupe moved nothing else",
  );
  await rollBack(page);
  assert.equal(
    (await (await api("/media?limit=100")).json()).items.length,
    library.length,
    "rolled back: every file listed again",
  );

  // Leave the account as the other tests expect it: default rules, nothing protected.
  const reset = await api("/organize/rules", { method: "PUT", data: { rules: saved.defaults } });
  assert.equal(reset.status(), 200);
  assert.equal((await api(`/media/${copyId}`, { method: "DELETE" })).status(), 204);
  assert.equal(
    (await api("/organize/settings", { method: "PUT", data: { protectedFolders: [] } })).status(),
    200,
  );
  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});

test("admin sees the admin screens: users, all jobs with dead-letter count, activity charts, health", async () => {
  const { page, context, errors } = await newPage();
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Admin" }).click();
  await page.locator("[data-testid=admin-users]").getByText(USER.email).waitFor();
  await shots(page, "12-admin-users");
  await page.getByRole("tab", { name: "All jobs" }).click();
  await page.locator("[data-testid=dead-letter]").waitFor();
  await page.locator("[data-testid=jobs-table] .badge-succeeded").first().waitFor();
  await shots(page, "13-admin-jobs");
  // Activity: inline-SVG charts of jobs and uploads per day (lazy-loaded), totals, numbers as text.
  await page.getByRole("tab", { name: "Activity" }).click();
  const jobsChart = page.getByRole("img", { name: /Jobs per day/ });
  await jobsChart.locator("rect").first().waitFor();
  const totals = await page.locator("[data-testid=admin-totals]").textContent();
  assert.match(totals, /[1-9]\d*\s*users/, `the totals count the users (${totals})`);
  await page
    .getByRole("img", { name: /Uploaded bytes per day/ })
    .locator("rect")
    .first()
    .waitFor();
  await page.locator("[data-testid=chart-uploads] summary").click();
  const uploadsToday = await page.locator("[data-testid=chart-uploads] tbody tr").last().textContent();
  assert.match(uploadsToday, /[1-9]/, `today's uploads are in the table (${uploadsToday})`);
  await shots(page, "16-admin-activity");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(80);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal overflow on the activity tab at phone width (${overflow}px)`);
  await shots(page, "17-admin-activity-phone");
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.getByRole("tab", { name: "Health" }).click();
  await page.locator("[data-testid=health] .health-ok").first().waitFor();
  await shots(page, "14-admin-health");
  await page.getByRole("link", { name: "Organizer" }).click();
  await page.getByRole("heading", { name: "Organizer" }).waitFor();
  await shots(page, "15-organizer");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin/);
  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});
