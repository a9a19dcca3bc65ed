// End-to-end test of the Storage screen (issue 14) in headless Chromium against `wrangler dev` and
// the local S3-compatible server (test/servers/s3-server.ts, SigV4 checked): add a connection (a
// wrong secret is marked on its field), test it, import a prefix, export the imported folder,
// organize the prefix in place (dry run → apply → roll back). Light and dark checked by axe; no
// horizontal scrolling at phone width. It runs in app.e2e.test.mjs's session (one `wrangler dev`
// for both: starting another costs CI 10–30 s), which calls startBucket/stopBucket around it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AwsClient } from "aws4fetch";
import { tsImport } from "tsx/esm/api";
import { assertAxeClean, FIXTURES, newPage, shots, signIn } from "./browser.mjs";

const { startS3Server } = await tsImport("../servers/s3-server.ts", import.meta.url);
const KEY = { accessKeyId: "E2EKEY", secretAccessKey: "e2e-secret-0123456789" };
const USER = { email: `lin+${Date.now()}@e2e.test`, password: "bucket-Brigade-2026", name: "Lin" };
const IMAGES = [
  "animals__birds__crow_01.png",
  "buildings__homes__my_house_01.png",
  "computer__bluepane_01.png",
];
let s3;
const client = new AwsClient({ ...KEY, region: "us-east-1", service: "s3" });

/** The bucket's keys under `prefix`, sorted. */
async function keys(prefix) {
  const url = new URL(`${s3.url}/e2e`);
  url.searchParams.set("list-type", "2");
  url.searchParams.set("prefix", prefix);
  const xml = await (await client.fetch(url)).text();
  return [...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1].replace(/&amp;/g, "&")).sort();
}

/** Starts the S3 server with three pictures under photos/inbox/. */
export async function startBucket() {
  s3 = await startS3Server({ credentials: [KEY], buckets: ["e2e"] });
  for (const name of IMAGES) {
    const res = await client.fetch(`${s3.url}/e2e/photos/inbox/${encodeURIComponent(name)}`, {
      method: "PUT",
      body: readFileSync(path.join(FIXTURES, name)),
      headers: { "content-type": "image/png" },
    });
    assert.equal(res.status, 200);
  }
}

export const stopBucket = () => s3?.close();

export const STORAGE_TEST =
  "storage: connect a bucket, import, export, organize a prefix in place and roll it back";

/** The test: needs the session (startSession) and the bucket (startBucket). */
export async function storageFlow() {
  const { page, context, errors } = await newPage();
  const reg = await page.request.post("/api/v1/auth/register", { data: USER });
  assert.equal(reg.status(), 202);
  await signIn(page, USER);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Storage" }).click();
  await page.getByRole("heading", { name: "Storage", level: 1 }).waitFor();

  // Add: an empty form names every required field; a wrong secret is marked on that field.
  const form = page.getByRole("form", { name: "Add a storage connection" });
  await form.getByRole("button", { name: "Check and add" }).click();
  await form.getByText("The bucket's name.").waitFor();
  await form.getByLabel("Endpoint").fill(s3.url);
  await form.getByLabel("Region").fill("us-east-1");
  await form.getByLabel("Bucket").fill("e2e");
  await form.getByLabel("Prefix (optional)").fill("photos/");
  await form.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await form.getByLabel("Secret access key").fill("not-the-secret");
  await form.getByRole("button", { name: "Check and add" }).click();
  const secretError = form.locator(".field.has-error").filter({ has: page.getByLabel("Secret access key") });
  await secretError.getByText(/SignatureDoesNotMatch/).waitFor();
  assert.equal(await form.locator(".field.has-error").count(), 1, "only the secret is marked");
  await shots(page, "60-storage-add-error");
  await form.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await form.getByRole("button", { name: "Check and add" }).click();
  const row = page.locator("[data-testid=storage-connections] tbody tr").filter({ hasText: "e2e/photos/" });
  await row.waitFor();
  await row.getByRole("button", { name: "Test" }).click();
  await page.getByText("the connection works").waitFor();

  // Import photos/inbox/ into /from-bucket, with live progress, then its counts.
  await page.getByLabel("Prefix in the bucket").fill("inbox/");
  await page.getByLabel("Into library folder").fill("/from-bucket");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const result = page.getByTestId("transfer-result");
  await result.waitFor({ timeout: 60_000 });
  assert.match(await result.textContent(), /3\s*imported/);
  await shots(page, "61-storage-import");

  // Export that folder to photos/out/ (keyboard: the tab list and the form are reachable by keys).
  await page.getByRole("tab", { name: "Export" }).focus();
  await page.keyboard.press("Enter");
  await page.getByLabel("Library folder").selectOption("/from-bucket");
  await page.getByLabel("To prefix in the bucket").fill("out/");
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await page.getByTestId("transfer-result").getByText("written").waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("transfer-result").textContent(), /3\s*written/);
  assert.deepEqual(
    await keys("photos/out/"),
    IMAGES.map((n) => `photos/out/${n}`),
  );

  // Organize photos/inbox/ in place: the dry run moves nothing; apply moves; roll back restores.
  // The objects the plan may move: under photos/ (where the rules send them), not the export.
  const sortable = async () => (await keys("photos/")).filter((k) => !k.startsWith("photos/out/"));
  const inbox = await sortable();
  await page.getByRole("tab", { name: "Organize in place" }).click();
  await page.getByRole("button", { name: "Run dry run" }).click();
  await page.getByText("Name the folder to sort").waitFor();
  await page.getByLabel("Prefix to organize").fill("inbox/");
  await page.getByRole("button", { name: "Run dry run" }).click();
  const job = page.getByTestId("organize-job");
  await job.getByRole("button", { name: "Apply plan" }).waitFor({ timeout: 60_000 });
  assert.match(await job.textContent(), /Objects under e2e\/photos\//);
  assert.deepEqual(await sortable(), inbox, "a dry run changes nothing");
  await shots(page, "62-storage-organize-plan");
  await job.getByRole("button", { name: "Apply plan" }).click();
  await job.getByRole("button", { name: "Roll back" }).waitFor({ timeout: 60_000 });
  const moved = await sortable();
  assert.notDeepEqual(moved, inbox, "apply moved the objects");
  assert.equal(moved.length, inbox.length);
  await job.getByRole("button", { name: "Roll back" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
  await job
    .getByRole("heading", { name: /Rollback/ })
    .getByText("succeeded")
    .waitFor({ timeout: 60_000 });
  assert.deepEqual(await sortable(), inbox, "every key is back");

  // Phone width: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  // Where it starts to stick out, for the message.
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((e) => {
        if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
        return !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1;
      })
      .slice(0, 8)
      .map(
        (e) => `${e.tagName.toLowerCase()}.${e.className} → ${Math.round(e.getBoundingClientRect().right)}`,
      ),
  );
  assert.ok(
    overflow <= 0,
    `the Storage screen scrolls sideways by ${overflow} px at 390 px: ${wide.join(", ")}`,
  );
  await shots(page, "63-storage-phone");
  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
}
