// npm run bench:vectorize — vectorize jobs through `wrangler dev` (local Queues, D1, R2, DO):
// 1. time from POST /vectorize to `succeeded` for a ~0.9 MP clip-art image (p50 over several runs);
// 2. throughput: 50 jobs queued at once (one batch), jobs per minute until the parent succeeds;
// 3. WebSocket fan-out: 200 watchers of one job, latency from the object's send (`sentAt`) to receipt.
// 1. and 2. are also given as ratios to the tracer's own time for the same image (tracer-alone.mts),
// and each with the CPU time the server's process group spent on it (from /proc: the figure least
// moved by what else runs on a shared machine).
// `-- --baseline <checkout>` serves a second copy of the app from another checkout (with node_modules,
// web/dist and src/wasm/build in place) and runs every job and batch on both, interleaved (the order
// alternates), and adds the A/B ratios (baseline ÷ app: above 1, the app is faster). `--runs`,
// `--batch` and `--no-fanout` keep an A/B run short; `--out` names the result files.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { processCpuMs } from "../api/proc.mjs";
import {
  machineInfo,
  markdownTable,
  percentile,
  repoRoot,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "8" },
    batch: { type: "string", default: "50" },
    "no-fanout": { type: "boolean", default: false },
    out: { type: "string", default: "vectorize" },
    baseline: { type: "string" },
    app: { type: "string" },
  },
});
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
const RUNS = Number(values.runs);
const BATCH = Number(values.batch);
const WATCHERS = 200;
const DEADLINE_MS = 20 * 60_000;
setTimeout(() => {
  console.error("bench:vectorize ran out of time");
  process.exit(2);
}, DEADLINE_MS).unref();
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
const median = (xs) => percentile(xs, 50);

const vars = {
  RATE_LIMITS:
    "login-account=100/100,login-ip=100/100,register-ip=100/100,api-user=100000/100000,job-create=1000/1000",
  FREE_CREDITS: "10000",
};
const servers = { app: await startDevServer({ vars, root: values.app && path.resolve(values.app) }) };
if (values.baseline) servers.baseline = await startDevServer({ vars, root: path.resolve(values.baseline) });
const names = Object.keys(servers);
const loadAtStart = load();
const bytes = readFileSync(IMAGE);
const log = (...args) => console.error(new Date().toISOString(), ...args);

/** An account on `server` with the bench image uploaded once and BATCH times; job helpers. */
async function prepare(server) {
  const base = `${server.url}/api/v1`;
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
  const upload = async (name) => {
    const form = new FormData();
    form.append("file", new File([bytes], name, { type: "image/png" }));
    const res = await fetch(`${base}/media`, { method: "POST", headers: auth, body: form });
    if (res.status !== 201) throw new Error(`upload → ${res.status} ${await res.text()}`);
    return (await res.json()).media;
  };
  const getJob = async (id) => (await (await fetch(`${base}/jobs/${id}`, { headers: auth })).json()).job;
  const waitFinal = async (id, pollMs) => {
    for (;;) {
      const job = await getJob(id);
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const source = await upload("crow.png");
  const ids = [];
  for (let i = 0; i < BATCH; i++) ids.push((await upload(`crow-${i}.png`)).id);
  /** POST → final, polling every `pollMs`: wall ms and the server's CPU ms meanwhile. */
  const timed = async (route, body, pollMs) => {
    const cpu = await processCpuMs(server.pid);
    const started = performance.now();
    const { job } = await post(route, body, token);
    const done = await waitFinal(job.id, pollMs);
    const ms = performance.now() - started;
    const cpuMs = (await processCpuMs(server.pid)) - cpu;
    if (done.status !== "succeeded")
      throw new Error(`job ${job.id} ${done.status}: ${JSON.stringify(done.error)}`);
    return { ms, cpuMs, job: done };
  };
  return { server, base, auth, post, token, source, ids, timed };
}

/** Each round runs every side once; the order alternates so neither always goes first. */
const order = (i) => (i % 2 === 0 ? names : [...names].reverse());

try {
  const sides = {};
  for (const name of names) sides[name] = await prepare(servers[name]);
  // 1. POST → succeeded, distinct options each run so the cache never answers; beside each job the
  //    tracer's own time for the same image and options (job overhead = the ratio of the two).
  const single = Object.fromEntries(names.map((n) => [n, []]));
  const tracerAlone = [];
  for (let i = 0; i < RUNS; i++) {
    const options = { colors: 8 + i };
    tracerAlone.push(tracerMs(options));
    for (const name of order(i)) {
      const side = sides[name];
      single[name].push(await side.timed("/vectorize", { mediaId: side.source.id, options }, 25));
      log(`run ${i} ${name}: ${single[name].at(-1).ms.toFixed(0)} ms, CPU ${single[name].at(-1).cpuMs} ms`);
    }
  }

  // 2. BATCH jobs at once; the tracer alone would do 60,000 / its ms per image a minute.
  const batchTracerMs = tracerMs({ preset: "illustration" });
  const batches = {};
  for (const name of order(RUNS)) {
    const side = sides[name];
    const r = await side.timed(
      "/vectorize/batch",
      { mediaIds: side.ids, options: { preset: "illustration" } },
      200,
    );
    if (r.job.result.succeeded !== BATCH) throw new Error(`batch: ${JSON.stringify(r.job.result)}`);
    batches[name] = { seconds: r.ms / 1000, cpuMsPerJob: r.cpuMs / BATCH };
    log(`batch ${name}: ${(r.ms / 1000).toFixed(1)} s`);
  }

  // 3. 200 watchers on a batch parent that publishes an update each time a child finishes. Only
  //    updates sent after every watcher was connected count: latency = receipt − the object's sentAt.
  const fanout = [];
  let finals = 0;
  let unclosed = 0;
  if (!values["no-fanout"]) {
    const { server, auth, post, token, ids } = sides.app;
    const fanIds = ids.slice(0, 20);
    const { job: watched } = await post(
      "/vectorize/batch",
      { mediaIds: fanIds, options: { colors: 12, detail: 70 } },
      token,
    );
    const wsUrl = `${server.url.replace("http", "ws")}/api/v1/jobs/${watched.id}/ws`;
    let allOpenAt = Number.POSITIVE_INFINITY;
    let opened = 0;
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
  }

  const loadAtEnd = load();
  const ratio = (xs) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(" ")})`;
  const rows = [];
  for (const name of names) {
    const jobs = single[name];
    const b = batches[name];
    rows.push({
      side: name,
      "POST → succeeded p50 ms": median(jobs.map((j) => j.ms)).toFixed(0),
      "p95 ms": percentile(
        jobs.map((j) => j.ms),
        95,
      ).toFixed(0),
      "÷ tracer alone (median)": median(jobs.map((j, i) => j.ms / tracerAlone[i])).toFixed(2),
      "CPU ms per job p50": median(jobs.map((j) => j.cpuMs)).toFixed(0),
      "CPU ÷ tracer alone": median(jobs.map((j, i) => j.cpuMs / tracerAlone[i])).toFixed(2),
      [`${BATCH} queued: s`]: b.seconds.toFixed(1),
      "jobs/min": ((BATCH / b.seconds) * 60).toFixed(0),
      "÷ tracer alone's rate": (((BATCH / b.seconds) * 60) / (60_000 / batchTracerMs)).toFixed(2),
      "CPU ms per batch job": b.cpuMsPerJob.toFixed(0),
    });
  }
  const ab = names.includes("baseline");
  const abRows = ab
    ? [
        {
          measure: "POST → succeeded (baseline ms ÷ app ms, per run)",
          ratio: ratio(single.app.map((j, i) => single.baseline[i].ms / j.ms)),
        },
        {
          measure: "CPU per job (baseline ÷ app, per run)",
          ratio: ratio(single.app.map((j, i) => single.baseline[i].cpuMs / j.cpuMs)),
        },
        {
          measure: `${BATCH} queued: throughput (app ÷ baseline)`,
          ratio: (batches.baseline.seconds / batches.app.seconds).toFixed(2),
        },
        {
          measure: `${BATCH} queued: CPU per job (baseline ÷ app)`,
          ratio: (batches.baseline.cpuMsPerJob / batches.app.cpuMsPerJob).toFixed(2),
        },
      ]
    : [];
  const fanRows = values["no-fanout"]
    ? []
    : [
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
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}. Load average (1/5/15 min) at start ${loadAtStart}, at end ${loadAtEnd}.`,
    "",
    `${ab ? `The app from ${values.app ?? "this checkout"} ("app") and from ${values.baseline} ("baseline"), each on its own \`wrangler dev\`, every job and batch run on both in turn (the order alternates). ` : ""}Image: ${path.basename(IMAGE)}, ${bytes.length} B PNG 794×1123 (0.89 MP). ${RUNS} single jobs (\`colors\` 8…${7 + RUNS}, so the cache never answers), polled every 25 ms; then ${BATCH} jobs in one batch (preset illustration), polled every 200 ms. Tracer alone: the tracer's own time for the same image and options in Node (p50 ${median(tracerAlone).toFixed(0)} ms single, ${batchTracerMs.toFixed(0)} ms for the batch's options = ${(60_000 / batchTracerMs).toFixed(0)} images/min). CPU: the server's process group (wrangler + workerd, /proc), polls included.`,
    "",
    markdownTable(rows),
    "",
    ...(ab ? ["A/B (above 1: the app is faster)", "", markdownTable(abRows), ""] : []),
    ...(fanRows.length ? [markdownTable(fanRows), ""] : []),
  ].join("\n");
  writeResults(
    values.out,
    {
      machine,
      load: { start: loadAtStart, end: loadAtEnd },
      app: values.app ?? null,
      baseline: values.baseline ?? null,
      tracerAloneMs: tracerAlone,
      single,
      batch: { jobs: BATCH, tracerAloneMs: batchTracerMs, ...batches },
      fanoutMs: fanout,
    },
    md,
  );
  console.log(md);
} finally {
  for (const server of Object.values(servers)) server.stop();
}
