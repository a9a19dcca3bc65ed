// tus with the reference client (issue 14): tus-js-client in Node uploads 40 MB in 5 MB chunks to
// `wrangler dev` through a TCP proxy that cuts the connection once, mid-PATCH; the client resumes
// from the server's offset (HEAD) and the library's file has the same bytes and SHA-256.
// Run with `npm run test:tus`.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import { after, test } from "node:test";
import { Upload } from "tus-js-client";
import { freePort, startDevServer } from "../../bench/lib/harness.mjs";

const SIZE = 40_000_000;
const CHUNK = 5_000_000;
/** The proxy drops the connection once this many request bytes went through (inside chunk 4). */
const CUT_AFTER = 17_500_000;
const VARS = {
  RATE_LIMITS:
    "login-account=100/100,login-account-client=100/100,login-ip=100/100,register-ip=100/100,api-user=100000/100000,anon-ip=100000/100000",
};

let server;
let proxy;
after(() => {
  proxy?.close();
  server?.stop();
});

/** A TCP proxy to `port` that destroys both sides of the connection carrying byte `cutAfter`, once. */
function cuttingProxy(port, cutAfter) {
  const state = { sent: 0, cut: false, cutAt: 0 };
  const sockets = new Set();
  const srv = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    sockets.add(client);
    client.on("data", (chunk) => {
      state.sent += chunk.length;
      if (!state.cut && state.sent >= cutAfter) {
        state.cut = true;
        state.cutAt = state.sent;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  return new Promise((resolve) =>
    srv.listen(0, "127.0.0.1", () => resolve({ state, port: srv.address().port, close: () => srv.close() })),
  );
}

async function api(base, path, init = {}, token) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${base}/api/v1${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  return res;
}

test("tus-js-client: 40 MB in 5 MB chunks, a dropped connection mid-PATCH, resumed; same bytes and SHA-256", {
  timeout: 300_000,
}, async () => {
  server = await startDevServer({ port: await freePort(), vars: VARS });
  const port = Number(new URL(server.url).port);
  proxy = await cuttingProxy(port, CUT_AFTER);
  const account = { email: "tus@example.com", password: "A-tus-passphrase-2026" };
  assert.equal((await api(server.url, "/auth/register", { method: "POST", json: account })).status, 202); // registration answers 202 alike for new and taken addresses (#13)
  const { accessToken } = await (
    await api(server.url, "/auth/login", { method: "POST", json: account })
  ).json();

  const file = randomBytes(SIZE);
  const errors = [];
  const patches = [];
  let resumeIndex = -1;
  let mediaId = null;
  await new Promise((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: `http://127.0.0.1:${proxy.port}/api/v1/tus`,
      chunkSize: CHUNK,
      retryDelays: [0, 500, 1000, 2000],
      headers: { authorization: `Bearer ${accessToken}` },
      metadata: { filename: "forty.bin", filetype: "application/octet-stream", folder: "/tus" },
      onShouldRetry: (error) => {
        errors.push(String(error));
        if (resumeIndex < 0) resumeIndex = patches.length;
        return true;
      },
      onBeforeRequest: (req) => {
        if (req.getMethod() === "PATCH") patches.push(Number(req.getHeader("Upload-Offset")));
      },
      onAfterResponse: (_req, res) => {
        mediaId = res.getHeader("Edgecraft-Media-Id") ?? mediaId;
      },
      onError: reject,
      onSuccess: resolve,
    });
    upload.start();
  });

  assert.equal(proxy.state.cut, true, "the proxy cut the connection");
  assert.ok(errors.length >= 1, "the client saw the dropped connection");
  // The first PATCH after the cut starts at the server's offset (asked with HEAD): past the chunks
  // acknowledged before the cut (and past whatever of the cut PATCH arrived), never back at 0.
  const resumedAt = patches[resumeIndex];
  assert.ok(resumedAt >= 3 * CHUNK && resumedAt < CUT_AFTER, `resumed at ${resumedAt} (${patches})`);
  console.log(
    `cut after ${proxy.state.cutAt} proxied bytes; resumed at offset ${resumedAt}; PATCH offsets ${patches}`,
  );
  assert.match(mediaId ?? "", /^med_/);
  const content = await api(server.url, `/media/${mediaId}/content`, {}, accessToken);
  assert.equal(content.status, 200);
  const got = Buffer.from(await content.arrayBuffer());
  assert.equal(got.length, SIZE);
  const hash = (b) => createHash("sha256").update(b).digest("hex");
  assert.equal(hash(got), hash(file));
  const meta = await (await api(server.url, `/media/${mediaId}`, {}, accessToken)).json();
  assert.equal(meta.media.sha256, hash(file));
  assert.equal(meta.media.folder, "/tus");
});
