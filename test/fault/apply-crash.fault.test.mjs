// The fault test (issue 10): `wrangler dev` is killed (SIGKILL) in the middle of an organize apply,
// restarted on the same local state, and the job finishes by itself — picked up by the scheduled
// recovery, which `wrangler dev` runs only when asked: the test asks the way one would by hand,
// `curl http://127.0.0.1:<port>/cdn-cgi/local/scheduled` (what the cron does when deployed).
// Run with `npm run test:fault`.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, startDevServer } from "../../bench/lib/harness.mjs";

const FILES = 240;
const VARS = {
  RATE_LIMITS:
    "login-account=100/100,login-account-client=100/100,login-ip=100/100,register-ip=100/100,api-user=100000/100000,anon-ip=100000/100000",
  ORGANIZE_CHUNK_SIZE: "8",
  // A consumer that died holds its job this long; the default (120 s) would only make the test slower.
  JOB_LEASE_SECONDS: "3",
};

let server;
after(() => server?.stop());

async function api(path, init = {}, token) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function job(token, id) {
  return (await api(`/jobs/${id}`, {}, token)).body.job;
}

/** A library to organize: text files spread over a few folders, uploaded 12 at a time. */
async function uploadLibrary(token) {
  for (let i = 0; i < FILES; i += 12) {
    await Promise.all(
      Array.from({ length: Math.min(12, FILES - i) }, async (_, k) => {
        const form = new FormData();
        form.append("file", new File([`file ${i + k}`], `note-${i + k}.txt`));
        form.append("folder", `/inbox/${(i + k) % 5}`);
        const res = await api("/media", { method: "POST", body: form }, token);
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }),
    );
  }
}

/** Every item of a paged list (`path` has its query already; the cursor is appended). */
async function allPages(path, init, token) {
  const items = [];
  for (let cursor = null; ; ) {
    const page = (await api(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, init, token))
      .body;
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return items;
  }
}

/** The cron's recovery, as wrangler dev runs it on request, until the job is done (90 rounds at most). */
async function recover(token, id) {
  for (let i = 0; ; i++) {
    await fetch(`${server.url}/cdn-cgi/local/scheduled`);
    await sleep(1000);
    const final = await job(token, id);
    if (["succeeded", "failed", "cancelled"].includes(final.status)) return final;
    assert.ok(i < 90, `the job is still ${final.status} (${JSON.stringify(final.progress)})`);
  }
}

// The time limit covers the setup: 240 uploads took 166 s of a 237 s run on this 2-core machine at load
// 10, the crash, restart and recovery 42 s. How fast the job resumes is bounded below (90 cron rounds).
test("a server killed mid-apply resumes the job after a restart, and every file ends up moved exactly once", {
  timeout: 480_000,
}, async () => {
  server = await startDevServer({ port: await freePort(), vars: VARS });
  const account = { email: "fault@example.com", password: "A-fault-passphrase-2026" };
  assert.equal((await api("/auth/register", { method: "POST", json: account })).status, 202); // registration answers 202 alike for new and taken addresses (#13)
  const login = async () => (await api("/auth/login", { method: "POST", json: account })).body.accessToken;
  let token = await login();

  await uploadLibrary(token);
  const plan = (await api("/organize", { method: "POST", json: { dryRun: true } }, token)).body.job;
  for (let i = 0; (await job(token, plan.id)).status !== "succeeded"; i++) {
    assert.ok(i < 600, "the plan did not finish");
    await sleep(100);
  }
  const apply = (await api(`/jobs/${plan.id}/apply`, { method: "POST", json: {} }, token)).body.job;

  // Kill the server as soon as part of the apply has been done.
  let seen;
  for (let i = 0; ; i++) {
    seen = await job(token, apply.id);
    if (seen.progress.done > 0 || seen.status === "succeeded") break;
    assert.ok(i < 1000, "the apply never started");
    await sleep(20);
  }
  await server.crash();
  assert.notEqual(seen.status, "succeeded", "the apply finished before the crash; make it longer");

  server = await startDevServer({ port: await freePort(), vars: VARS, reuseState: server.stateDir });
  token = await login();
  const stalled = await job(token, apply.id);
  assert.ok(["queued", "running"].includes(stalled.status), `after the restart the job is ${stalled.status}`);

  const final = await recover(token, apply.id);
  assert.equal(final.status, "succeeded", JSON.stringify(final.error));

  // Every file was moved once, to the place its record says, and nothing was lost.
  const files = await allPages(`/jobs/${plan.id}/files?limit=100`, {}, token);
  assert.equal(files.length, FILES);
  assert.ok(
    files.every((f) => f.status === "moved"),
    JSON.stringify(files.filter((f) => f.status !== "moved").slice(0, 3)),
  );
  const listed = await allPages("/media?limit=100", { headers: { "cache-control": "no-cache" } }, token);
  assert.equal(listed.length, FILES);
  const where = new Map(listed.map((m) => [m.id, m.folder === "/" ? `/${m.name}` : `${m.folder}/${m.name}`]));
  for (const f of files) assert.equal(where.get(f.mediaId), f.newPath);
});
