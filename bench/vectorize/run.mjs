// npm run bench:vectorize — vectorize jobs through `wrangler dev` (local Queues, D1, R2, DO):
// 1. time from POST /vectorize to `succeeded` for a ~0.9 MP clip-art image (p50 over several runs);
// 2. throughput: 50 jobs queued at once (one batch), jobs per minute until the parent succeeds;
// 3. WebSocket fan-out: 200 watchers of one job, latency from the object's send (`sentAt`) to receipt.
// 1. and 2. are also given as ratios to the tracer's own time for the same image (tracer-alone.mts).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  freePort,
  machineInfo,
  markdownTable,
  percentile,
  repoRoot,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const IMAGE = path.join(repoRoot, "test/fixtures/animals__birds__crow_01.png");

/** The tracer's own time for IMAGE with `options`, in a Node process beside the server (tracer-alone.mts). */
function tracerMs(options) {
  const out = execFileSync(
    "npx",
    ["tsx", "bench/vectorize/tracer-alone.mts", IMAGE, JSON.stringify(options)],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1)).ms;
}
const RUNS = 8;
const BATCH = 50;
const WATCHERS = 200;
const DEADLINE_MS = 10 * 60_000;
setTimeout(() => {
  console.error("bench:vectorize ran out of time");
  process.exit(2);
}, DEADLINE_MS).unref();

const server = await startDevServer({
  port: await freePort(),
  vars: {
    RATE_LIMITS:
      "login-account=100/100,login-ip=100/100,register-ip=100/100,api-user=100000/100000,job-create=1000/1000",
    FREE_CREDITS: "10000",
  },
});
const base = `${server.url}/api/v1`;
try {
  const email = "vec-bench@example.com";
  const password = "A-bench-passphrase-2026";
  const post = async (p, body, token) => {
    const res = await fetch(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`${p} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  await post("/auth/register", { email, password });
  const { accessToken: token } = await post("/auth/login", { email, password });
  const auth = { authorization: `Bearer ${token}` };
  const bytes = readFileSync(IMAGE);
  const upload = async (name) => {
    const form = new FormData();
    form.append("file", new File([bytes], name, { type: "image/png" }));
    const res = await fetch(`${base}/media`, { method: "POST", headers: auth, body: form });
    if (res.status !== 201) throw new Error(`upload → ${res.status} ${await res.text()}`);
    return (await res.json()).media;
  };
  const getJob = async (id) => (await (await fetch(`${base}/jobs/${id}`, { headers: auth })).json()).job;
  const waitFinal = async (id, pollMs = 25) => {
    for (;;) {
      const job = await getJob(id);
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };

  const log = (...args) => console.error(new Date().toISOString(), ...args);
  // 1. POST → succeeded, distinct options each run so the cache never answers; beside each job the
  //    tracer's own time for the same image and options (job overhead = the ratio of the two).
  const source = await upload("crow.png");
  const latencies = [];
  const tracerAlone = [];
  for (let i = 0; i < RUNS; i++) {
    tracerAlone.push(await tracerMs({ colors: 8 + i }));
    const started = performance.now();
    const { job } = await post("/vectorize", { mediaId: source.id, options: { colors: 8 + i } }, token);
    const done = await waitFinal(job.id);
    if (done.status !== "succeeded")
      throw new Error(`job ${job.id} ${done.status}: ${JSON.stringify(done.error)}`);
    latencies.push(performance.now() - started);
    log(`run ${i}: ${latencies.at(-1).toFixed(0)} ms`);
  }

  // 2. 50 jobs at once; the tracer alone would do 60,000 / its ms per image a minute.
  const batchTracerMs = await tracerMs({ preset: "illustration" });
  const ids = [];
  for (let i = 0; i < BATCH; i++) ids.push((await upload(`crow-${i}.png`)).id);
  const batchStarted = performance.now();
  const { job: parent } = await post(
    "/vectorize/batch",
    { mediaIds: ids, options: { preset: "illustration" } },
    token,
  );
  log("batch queued");
  const finished = await waitFinal(parent.id, 200);
  log("batch finished");
  const batchSeconds = (performance.now() - batchStarted) / 1000;
  if (finished.result.succeeded !== BATCH) throw new Error(`batch: ${JSON.stringify(finished.result)}`);

  // 3. 200 watchers on a batch parent that publishes an update each time a child finishes. Only
  //    updates sent after every watcher was connected count: latency = receipt − the object's sentAt.
  const fanIds = ids.slice(0, 20);
  const { job: watched } = await post(
    "/vectorize/batch",
    { mediaIds: fanIds, options: { colors: 12, detail: 70 } },
    token,
  );
  const wsUrl = `${server.url.replace("http", "ws")}/api/v1/jobs/${watched.id}/ws`;
  const fanout = [];
  let allOpenAt = Number.POSITIVE_INFINITY;
  let opened = 0;
  let finals = 0;
  let unclosed = 0;
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise((resolve) => {
          const ws = new WebSocket(wsUrl, { headers: auth });
          const timer = setTimeout(() => {
            unclosed += 1;
            ws.close();
            resolve();
          }, 120_000);
          ws.onerror = () => log("ws error");
          ws.onopen = () => {
            opened += 1;
            if (opened % 50 === 0) log(`fan-out: ${opened} open`);
            if (opened === WATCHERS) allOpenAt = Date.now();
          };
          ws.onmessage = (event) => {
            const message = JSON.parse(event.data);
            const sent = Date.parse(message.sentAt ?? "");
            if (sent > allOpenAt) fanout.push(Date.now() - sent);
            if (message.type !== "progress") finals += 1;
          };
          ws.onclose = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
    ),
  );
  log(`fan-out: ${opened} opened, ${fanout.length} timed messages, ${finals} finals, ${unclosed} unclosed`);

  const rows = [
    {
      measure: `POST → succeeded, ${bytes.length} B PNG 794×1123 (0.89 MP), p50`,
      value: `${percentile(latencies, 50).toFixed(0)} ms`,
    },
    { measure: "POST → succeeded, p95", value: `${percentile(latencies, 95).toFixed(0)} ms` },
    {
      measure: "job overhead: POST → succeeded ÷ the tracer's own time, same image and options (median)",
      value: `${percentile(
        latencies.map((ms, i) => ms / tracerAlone[i]),
        50,
      ).toFixed(2)} (tracer alone p50 ${percentile(tracerAlone, 50).toFixed(0)} ms)`,
    },
    { measure: `${BATCH} jobs queued at once: wall time`, value: `${batchSeconds.toFixed(1)} s` },
    {
      measure: `${BATCH} jobs queued at once: throughput`,
      value: `${((BATCH / batchSeconds) * 60).toFixed(0)} jobs/min`,
    },
    {
      measure: `${BATCH} jobs: throughput ÷ the tracer alone's (${(60_000 / batchTracerMs).toFixed(0)} images/min)`,
      value: (((BATCH / batchSeconds) * 60) / (60_000 / batchTracerMs)).toFixed(2),
    },
    {
      measure: `WebSocket fan-out, ${WATCHERS} watchers of a 20-image batch: updates timed`,
      value: `${fanout.length} (${finals} finals, ${unclosed} not closed)`,
    },
    { measure: "fan-out latency sentAt → receipt, p50", value: `${percentile(fanout, 50)} ms` },
    { measure: "fan-out latency sentAt → receipt, p95", value: `${percentile(fanout, 95)} ms` },
    { measure: "fan-out latency sentAt → receipt, max", value: `${Math.max(...fanout)} ms` },
  ];
  const machine = machineInfo();
  const md = [
    "# Vectorize jobs benchmark (wrangler dev, local Queues/D1/R2/DO)",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.date}`,
    "",
    markdownTable(rows),
    "",
  ].join("\n");
  writeResults(
    "vectorize",
    {
      machine,
      latenciesMs: latencies,
      tracerAloneMs: tracerAlone,
      batch: { jobs: BATCH, seconds: batchSeconds, tracerAloneMs: batchTracerMs },
      fanoutMs: fanout,
    },
    md,
  );
  console.log(md);
} finally {
  server.stop();
}
