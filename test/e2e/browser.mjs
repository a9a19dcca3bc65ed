// The browser side of the end-to-end tests: a fresh `wrangler dev` with its own local state and
// headless Debian Chromium (playwright-core), per test file (`useSession`), with
// the helpers every e2e test uses: pages that collect errors, axe checks, screenshots light and dark
// (test/e2e/screenshots/, gitignored), sign-in, dropping fixture files.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before } from "node:test";
import { chromium } from "playwright-core";
import { freePort, repoRoot, startDevServer } from "../../bench/lib/harness.mjs";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const FIXTURES = path.join(repoRoot, "test/fixtures");
const SHOTS = path.join(repoRoot, "test/e2e/screenshots");

/** The running server and browser of this test file. */
export const session = { base: "", server: null, browser: null };

/** Rate limits loose enough for a test file's whole story (each file signs in and uploads a lot). */
const RATE_LIMITS =
  "login-account=50/50,login-ip=200/200,register-ip=50/50,api-user=5000/5000,job-create=200/200,organize-user=100/100";

/**
 * The test file's server and browser: started before its first test — the dev server with the loose
 * rate limits and `vars` (`scheduled`: its cron handler callable at /cdn-cgi/handler/scheduled) — and
 * stopped after its last.
 */
export function useSession(vars = {}, options = {}) {
  before(() => startSession({ RATE_LIMITS, ...vars }, options));
  after(stopSession);
}

async function startSession(vars, { scheduled = false } = {}) {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  assert.ok(
    existsSync(path.join(repoRoot, "web/dist/index.html")),
    "web/dist is missing: run npm run build:web",
  );
  mkdirSync(SHOTS, { recursive: true });
  session.server = await startDevServer({ port: await freePort(), vars, scheduled });
  session.base = session.server.url.replace("127.0.0.1", "localhost");
  // playwright's launch() gives Chromium a fresh temporary user-data-dir of its own (removed on close).
  session.browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

async function stopSession() {
  await session.browser?.close().catch(() => {});
  session.server?.stop();
}

export async function newPage(viewport = { width: 1280, height: 860 }) {
  const context = await session.browser.newContext({
    viewport,
    acceptDownloads: true,
    baseURL: session.base,
  });
  // The machine may be shared: generous navigation timeouts, and no waiting for the "load" event.
  context.setDefaultNavigationTimeout(60_000);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of (401|404|422|429)/.test(m.text())) errors.push(m.text());
  });
  page.on("dialog", (d) => d.accept());
  a11y.set(page, []);
  return { page, context, errors };
}

/** axe violations found on each page, by page; each test asserts its own list is empty at the end. */
const a11y = new WeakMap();

/**
 * Runs axe-core (WCAG 2 A and AA) on the page as it is. The pages' CSP (script-src 'self') would
 * block an injected <script>, so the source goes in through page.evaluate (CDP is not subject to it).
 */
export async function axeCheck(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa"], resultTypes: ["violations"] }),
  );
  for (const v of violations) {
    const nodes = v.nodes
      .slice(0, 6)
      .map((n) => `      ${n.target.join(" ")}\n        ${n.failureSummary?.replace(/\n\s*/g, "; ")}`)
      .join("\n");
    const more = v.nodes.length > 6 ? `\n      … and ${v.nodes.length - 6} more` : "";
    a11y
      .get(page)
      ?.push(`${label}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} nodes)\n${nodes}${more}`);
  }
}

/** Fails the test with every axe violation the page collected, readably. */
export function assertAxeClean(page) {
  const found = a11y.get(page) ?? [];
  assert.ok(found.length === 0, `axe found ${found.length} violation(s):\n\n${found.join("\n\n")}`);
}

/** Screenshot in light and dark (the app follows the system theme by default), each checked by axe. */
export async function shots(page, name) {
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(80);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage: false });
    await axeCheck(page, `${name} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

export async function signIn(page, { email, password }) {
  await page.goto("/signin", { waitUntil: "domcontentloaded" });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/library/);
}

export async function dropFiles(page, selector, names) {
  const files = names.map((n) => ({ name: n, b64: readFileSync(path.join(FIXTURES, n)).toString("base64") }));
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      d.items.add(new File([bytes], f.name, { type: "image/png" }));
    }
    return d;
  }, files);
  await page.dispatchEvent(selector, "dragenter", { dataTransfer: dt });
  await page.dispatchEvent(selector, "dragover", { dataTransfer: dt });
  await page.dispatchEvent(selector, "drop", { dataTransfer: dt });
}
