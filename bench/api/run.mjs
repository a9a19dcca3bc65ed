// npm run bench:api — the app's hot paths as fractions of the platform's floor, from one run.
// Two `wrangler dev` servers side by side: the app (rate limits raised through RATE_LIMITS so that
// throughput, not the limiter, is measured) and the floor worker (bench/floor: a bare Hono `/ping`
// and a raw R2 put with a hash). Every app measurement is paired with a floor measurement taken
// right before it, and the pairs are interleaved over ROUNDS rounds, so whatever else loads the
// machine weighs on both sides of each ratio. A ratio is the median over the rounds of
// app req/s ÷ floor /ping req/s (uploads: floor put time ÷ app upload time, i.e. throughput).
// The machine's load average is noted at the start and end; figures from a busy machine are
// comparable only as ratios.
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startFloorServer } from "../floor/server.mjs";
import { machineInfo, markdownTable, percentile, startDevServer, writeResults } from "../lib/harness.mjs";
import { processWrites } from "./writes.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "upload-mb": { type: "string", default: "30" },
    out: { type: "string", default: "api" },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const UPLOAD_MB = Number(values["upload-mb"]);
const SEED_FILES = 60;

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

async function json(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

function multipart(bytes, name) {
  const boundary = `----bench${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), type: `multipart/form-data; boundary=${boundary}` };
}

/** req/s of GETs on `url` at CONNECTIONS connections for SECONDS; any non-2xx answer is an error. */
async function rps(url, headers = {}, expect = 200) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const wrong = expect === 200 ? result.non2xx : result["2xx"];
  if (wrong + result.errors > 0)
    throw new Error(`${url}: ${wrong} unexpected answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50 };
}

const app = await startDevServer({
  vars: {
    RATE_LIMITS:
      "login-account=1000/1000,login-account-client=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=100000000/100000000,anon-ip=100000000/100000000,job-create=1000/1000,organize-user=1000/1000",
  },
});
const floor = await startFloorServer();
const loadAtStart = load();
try {
  const base = `${app.url}/api/v1`;
  const post = (p, body, headers = {}) =>
    json(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const email = "api-bench@example.com";
  const password = "A-bench-passphrase-2026";
  await post("/auth/register", { email, password });
  const { accessToken } = await post("/auth/login", { email, password });
  const auth = { authorization: `Bearer ${accessToken}` };

  // A library and a few jobs to list.
  for (let i = 0; i < SEED_FILES; i++) {
    const form = multipart(randomBytes(2048), `seed-${i}.bin`);
    await json(`${base}/media`, {
      method: "POST",
      headers: { ...auth, "content-type": form.type },
      body: form.body,
    });
  }
  for (let i = 0; i < 3; i++) await post("/organize", { dryRun: true }, auth);

  const routes = [
    { name: "GET /me", url: `${base}/me`, headers: auth },
    { name: "GET /media (list of 50)", url: `${base}/media?limit=50`, headers: auth },
    { name: "GET /jobs (list)", url: `${base}/jobs`, headers: auth },
    { name: "GET /health (no auth)", url: `${base}/health`, headers: {} },
    { name: "404 (no route)", url: `${base}/no-such-route`, headers: auth, expect: 404 },
  ];
  // Warm both isolates.
  await rps(`${floor.url}/ping`);
  for (const r of routes) await rps(r.url, r.headers, r.expect);

  const samples = Object.fromEntries(routes.map((r) => [r.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of routes) {
      const f = await rps(`${floor.url}/ping`);
      const a = await rps(r.url, r.headers, r.expect);
      samples[r.name].push({ floorRps: f.rps, appRps: a.rps, appP50: a.p50, ratio: a.rps / f.rps });
    }
    console.log(`round ${round + 1}/${ROUNDS} done (load ${load()})`);
  }

  // Uploads: new random bytes each time (a repeat would be a dedupe hit), floor and app alternating.
  const upload = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bytes = randomBytes(UPLOAD_MB * 1024 * 1024);
    const floorWrites = await processWrites(floor.pid);
    let started = performance.now();
    await json(`${floor.url}/put`, { method: "POST", body: bytes });
    const floorMs = performance.now() - started;
    const floorWritten = (await processWrites(floor.pid)) - floorWrites;

    const form = multipart(randomBytes(UPLOAD_MB * 1024 * 1024), `upload-${round}.bin`);
    const appWrites = await processWrites(app.pid);
    started = performance.now();
    await json(`${base}/media`, {
      method: "POST",
      headers: { ...auth, "content-type": form.type },
      body: form.body,
    });
    const appMs = performance.now() - started;
    const appWritten = (await processWrites(app.pid)) - appWrites;
    upload.push({ floorMs, appMs, ratio: floorMs / appMs, floorWritten, appWritten });
    console.log(`upload ${round + 1}/${ROUNDS} done (load ${load()})`);
  }

  const median = (xs) => percentile(xs, 50);
  const fileBytes = UPLOAD_MB * 1024 * 1024;
  const rows = [
    ...routes.map((r) => {
      const s = samples[r.name];
      return {
        route: r.name,
        "app req/s": median(s.map((x) => x.appRps)).toFixed(0),
        "floor /ping req/s": median(s.map((x) => x.floorRps)).toFixed(0),
        "ratio (median)": median(s.map((x) => x.ratio)).toFixed(2),
        "ratio per round": s.map((x) => x.ratio.toFixed(2)).join(" "),
      };
    }),
    {
      route: `POST /media, ${UPLOAD_MB} MB of new bytes`,
      "app req/s": `${median(upload.map((u) => u.appMs)).toFixed(0)} ms`,
      "floor /ping req/s": `put+hash ${median(upload.map((u) => u.floorMs)).toFixed(0)} ms`,
      "ratio (median)": median(upload.map((u) => u.ratio)).toFixed(2),
      "ratio per round": upload.map((u) => u.ratio.toFixed(2)).join(" "),
    },
  ];
  const writes = {
    floorBytesPerFileByte: median(upload.map((u) => u.floorWritten)) / fileBytes,
    appBytesPerFileByte: median(upload.map((u) => u.appWritten)) / fileBytes,
  };
  const machine = machineInfo();
  const loadAtEnd = load();
  const md = [
    "# API hot paths as fractions of the floor",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}. Load average (1/5/15 min) at start ${loadAtStart}, at end ${loadAtEnd}.`,
    "",
    `Two \`wrangler dev\` servers: the app and the floor worker (\`bench/floor\`: bare Hono \`GET /ping\`, raw R2 put with SHA-256). autocannon, ${CONNECTIONS} connections, ${SECONDS} s per cell; each app cell right after a floor \`/ping\` cell, ${ROUNDS} interleaved rounds. Ratio = app req/s ÷ floor req/s of the same round (uploads: floor put time ÷ app upload time), median of the rounds. Authenticated with a bearer access token; rate limits raised through RATE_LIMITS.`,
    "",
    markdownTable(rows),
    "",
    `Bytes written to disk by workerd per byte of a ${UPLOAD_MB} MB upload (\`/proc/<pid>/io\` wchar, local R2 and D1): floor ${writes.floorBytesPerFileByte.toFixed(2)}, app ${writes.appBytesPerFileByte.toFixed(2)}.`,
    "",
  ].join("\n");
  writeResults(
    values.out,
    {
      machine,
      loadAtStart,
      loadAtEnd,
      seconds: SECONDS,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      samples,
      upload,
      writes,
      rows,
    },
    md,
  );
  console.log(md);
} finally {
  floor.stop();
  app.stop();
}
