// npm run bench:tus — the same 40 MB through `wrangler dev` (local R2/D1/DO), in one run:
// tus-js-client in 5 MB chunks (issue 14's client test setup) and in one 40 MB PATCH, against the plain
// upload (POST /api/v1/media, multipart/form-data) and the multipart-parts API (8 MiB parts). Fresh
// random bytes per upload (no dedupe shortcut); RUNS rounds, interleaved; median MB/s per method.
import { randomBytes } from "node:crypto";
import { Upload } from "tus-js-client";
import {
  freePort,
  machineInfo,
  markdownTable,
  multipart,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const SIZE = 40_000_000;
const RUNS = 3;
const DEADLINE_MS = 10 * 60_000;
const watchdog = setTimeout(() => {
  console.error(`bench:tus took longer than ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();

const server = await startDevServer({
  port: await freePort(),
  vars: {
    RATE_LIMITS: "login-account=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=1000000/1000000",
  },
});

async function ok(res) {
  if (!res.ok) throw new Error(`${res.url} → ${res.status} ${await res.text()}`);
  return res;
}

function tus(base, auth, bytes, chunkSize) {
  return new Promise((resolve, reject) => {
    new Upload(bytes, {
      endpoint: `${base}/tus`,
      chunkSize,
      retryDelays: null,
      headers: auth,
      metadata: { filename: "bench.bin" },
      onError: reject,
      onSuccess: resolve,
    }).start();
  });
}

async function formPost(base, auth, bytes) {
  const form = multipart(bytes, "bench.bin");
  await ok(
    await fetch(`${base}/media`, {
      method: "POST",
      headers: { ...auth, "content-type": form.type },
      body: form.body,
    }),
  );
}

async function partsApi(base, auth, bytes) {
  const json = { ...auth, "content-type": "application/json" };
  const created = await (
    await ok(
      await fetch(`${base}/media/uploads`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "bench.bin" }),
      }),
    )
  ).json();
  const partSize = 8 * 1024 * 1024;
  for (let n = 1, at = 0; at < bytes.length; n++, at += partSize) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + partSize));
    await ok(
      await fetch(`${base}/media/uploads/${created.upload.id}/parts/${n}`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/octet-stream" },
        body: part,
      }),
    );
  }
  await ok(
    await fetch(`${base}/media/uploads/${created.upload.id}/complete`, { method: "POST", headers: auth }),
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const base = `${server.url}/api/v1`;
  const account = { email: "tus-bench@example.com", password: "A-bench-passphrase-2026" };
  const post = (p, body) =>
    fetch(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await ok(await post("/auth/register", account));
  const { accessToken } = await (await ok(await post("/auth/login", account))).json();
  const auth = { authorization: `Bearer ${accessToken}` };
  const methods = {
    "tus, 5 MB chunks": (b) => tus(base, auth, b, 5_000_000),
    "tus, one 40 MB PATCH": (b) => tus(base, auth, b, SIZE),
    "plain upload (POST /media, form-data)": (b) => formPost(base, auth, b),
    "multipart-parts API (8 MiB parts)": (b) => partsApi(base, auth, b),
  };
  const seconds = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const [name, upload] of Object.entries(methods)) {
      const bytes = randomBytes(SIZE);
      const started = performance.now();
      await upload(bytes);
      seconds[name].push((performance.now() - started) / 1000);
      console.log(`${name}: ${seconds[name].at(-1).toFixed(2)} s`);
    }
  }
  const plain = median(seconds["plain upload (POST /media, form-data)"]);
  const rows = Object.entries(seconds).map(([method, s]) => ({
    method,
    "median s": median(s).toFixed(2),
    "MB/s": (SIZE / 1e6 / median(s)).toFixed(1),
    "vs plain upload": (plain / median(s)).toFixed(2),
    runs: s.map((x) => x.toFixed(2)).join(", "),
  }));
  const machine = machineInfo();
  writeResults(
    "tus",
    { machine, sizeBytes: SIZE, runs: RUNS, seconds, rows },
    `# bench:tus\n\n40 MB (${SIZE} bytes) per upload through \`wrangler dev\`, ${RUNS} interleaved rounds, median. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}.\n\n${markdownTable(rows)}\n\n"vs plain upload" is the plain upload's median time over this method's (above 1: faster).\n`,
  );
  console.log(markdownTable(rows));
} finally {
  server.stop();
}
