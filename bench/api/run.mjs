// npm run bench:api — the app's hot paths as fractions of the platform's floor, from one run.
// Two `wrangler dev` servers side by side: the app (rate limits raised through RATE_LIMITS so that
// throughput, not the limiter, is measured) and the floor worker (bench/floor: a bare Hono `/ping`
// and a raw R2 put with a hash). Every app measurement is paired with a floor measurement taken
// right before it, and the pairs are interleaved over ROUNDS rounds, so whatever else loads the
// machine weighs on both sides of each ratio. A ratio is the median over the rounds of
// app req/s ÷ floor /ping req/s (uploads: floor put time ÷ app upload time, i.e. throughput).
// The machine's load average is noted at the start and end; figures from a busy machine are
// comparable only as ratios.
// `-- --baseline <checkout>` serves a second copy of the app from another checkout (e.g. a
// `git worktree add --detach` of the commit before a change, with node_modules, web/dist and
// src/wasm/build in place) in the same rounds, and adds its ratios and the A/B ratio (this ÷ baseline).
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startFloorServer } from "../floor/server.mjs";
import { machineInfo, markdownTable, percentile, startDevServer, writeResults } from "../lib/harness.mjs";
import { processCpuMs, processWrites } from "./proc.mjs";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "upload-mb": { type: "string", default: "30" },
    out: { type: "string", default: "api" },
    baseline: { type: "string" },
    app: { type: "string" },
    only: { type: "string" },
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

/**
 * req/s of GETs on `url` at CONNECTIONS connections for SECONDS, and the CPU time the serving
 * process group `pgid` spent per request meanwhile; any unexpected answer is an error.
 */
async function rps(pgid, url, headers = {}, expect = 200) {
  const cpuBefore = await processCpuMs(pgid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const cpuMs = (await processCpuMs(pgid)) - cpuBefore;
  const wrong = expect === 200 ? result.non2xx : result["2xx"];
  if (wrong + result.errors > 0)
    throw new Error(
      `${url}: ${wrong} unexpected answers, ${result.errors} errors ${JSON.stringify(result.statusCodeStats)}`,
    );
  return { rps: result.requests.average, cpuMsPerRequest: cpuMs / result.requests.total };
}

/**
 * What one platform call adds to the floor's `/ping` (bench/floor `/ping/<call>`), measured in each
 * round: the price list a route's ratio is made of (a signed-in GET logs its line and reads D1).
 */
const PLATFORM_CALLS = [
  ["console line", "/ping/log"],
  ["D1 read", "/ping/d1"],
  ["KV read", "/ping/kv"],
  // The app's rate-limit lease calls its bucket object (a Durable Object storing its count).
  ["Durable Object call", "/ping/do"],
  // An answer as long as the app's 50-item media page (measured in `prepare`), instead of /ping's 11 bytes.
  ["listing-sized answer", () => `/ping/body?bytes=${listingBytes}`],
  // The same /ping on the floor served behind static assets as the app is (bench/floor/wrangler.assets.toml):
  // what the platform's asset router adds to every request.
  ["asset router", "/ping", "assets"],
];

/** The length of the app's 50-item media page, which `/ping/body` answers with as many bytes. */
let listingBytes = 0;

const ADMIN = { email: "api-bench-admin@example.com", password: "An-admin-bench-passphrase-2026" };
const vars = {
  // A run takes 10–20 min on a busy machine: past the default 15 min every signed-in cell answered 401.
  ACCESS_TOKEN_TTL_SECONDS: "86400",
  // A verified account (the bootstrap admin) to create the API key `GET /me (API key)` measures with.
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  // One user's 10 connections: no cap on a caller's requests running at once (a limiter too).
  CALLER_MAX_IN_FLIGHT: "0",
  RATE_LIMITS:
    "login-account=1000/1000,login-account-client=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=100000000/100000000,anon-ip=100000000/100000000,job-create=1000/1000,organize-user=1000/1000",
};
// `--app <checkout>` serves "app" from another checkout too (this one by default).
const servers = { app: await startDevServer({ vars, root: values.app && path.resolve(values.app) }) };
if (values.baseline) servers.baseline = await startDevServer({ vars, root: path.resolve(values.baseline) });
const floor = await startFloorServer();
const floorBehindAssets = await startFloorServer({ config: "bench/floor/wrangler.assets.toml" });
const loadAtStart = load();
try {
  const sides = {};
  for (const [side, server] of Object.entries(servers)) sides[side] = await prepare(server);
  const results = await measure(sides);
  report(results);
} catch (error) {
  // What the servers said about it: their error lines (an unexpected answer's cause is there).
  for (const [side, server] of Object.entries(servers)) {
    const lines = server
      .log()
      .split("\n")
      .filter((l) => /"level":"error"|✘|\[ERROR\]|uncaught/i.test(l));
    console.error(
      `${side}: ${lines.length} error lines${lines.length ? `, the last:\n${lines.slice(-10).join("\n")}` : ""}`,
    );
  }
  throw error;
} finally {
  floor.stop();
  floorBehindAssets.stop();
  for (const server of Object.values(servers)) server.stop();
}

/** An account with a library and a few jobs on `server`; the routes to measure there. */
async function prepare(server) {
  const base = `${server.url}/api/v1`;
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
  const page = await fetch(`${base}/media?limit=50`, { headers: auth });
  listingBytes = (await page.arrayBuffer()).byteLength;
  const admin = await post("/auth/login", ADMIN);
  const { secret: apiKey } = await post(
    "/api-keys",
    { name: "bench", scopes: ["account:read"] },
    { authorization: `Bearer ${admin.accessToken}` },
  );

  return {
    server,
    base,
    auth,
    routes: [
      { name: "GET /me", url: `${base}/me`, headers: auth },
      { name: "GET /me (API key)", url: `${base}/me`, headers: { authorization: `Bearer ${apiKey}` } },
      { name: "GET /media (list of 50)", url: `${base}/media?limit=50`, headers: auth },
      { name: "GET /jobs (list)", url: `${base}/jobs`, headers: auth },
      { name: "GET /health (no auth)", url: `${base}/health`, headers: {} },
      { name: "404 (no route)", url: `${base}/no-such-route`, headers: auth, expect: 404 },
    ],
  };
}

/** Time, bytes written and CPU ms of one upload of new bytes to `pgid`'s server. */
async function timedUpload(pgid, send) {
  const [written, cpu] = [await processWrites(pgid), await processCpuMs(pgid)];
  const started = performance.now();
  await send();
  return {
    ms: performance.now() - started,
    written: (await processWrites(pgid)) - written,
    cpuMs: (await processCpuMs(pgid)) - cpu,
  };
}

function uploadTo(side, round) {
  const form = multipart(randomBytes(UPLOAD_MB * 1024 * 1024), `upload-${round}.bin`);
  return timedUpload(side.server.pid, () =>
    json(`${side.base}/media`, {
      method: "POST",
      headers: { ...side.auth, "content-type": form.type },
      body: form.body,
    }),
  );
}

/** One round of the platform calls on the floor, each beside a /ping. */
async function platformRound(platform) {
  for (const [call, p, where] of PLATFORM_CALLS) {
    const server = where === "assets" ? floorBehindAssets : floor;
    platform[call].push({
      ping: await rps(floor.pid, `${floor.url}/ping`),
      call: await rps(server.pid, `${server.url}${typeof p === "function" ? p() : p}`),
    });
  }
}

/** One route once: the floor's /ping, then each side's route in `order`. */
async function routeSample(sides, order, route) {
  const sample = { floor: await rps(floor.pid, `${floor.url}/ping`) };
  for (const name of order) {
    const r = sides[name].routes.find((x) => x.name === route);
    sample[name] = await rps(sides[name].server.pid, r.url, r.headers, r.expect);
  }
  return sample;
}

/** One upload of new random bytes: to the floor, then to each side in `order`. */
async function uploadSample(sides, order, round) {
  const bytes = randomBytes(UPLOAD_MB * 1024 * 1024);
  const sample = {
    floor: await timedUpload(floor.pid, () => json(`${floor.url}/put`, { method: "POST", body: bytes })),
  };
  for (const name of order) sample[name] = await uploadTo(sides[name], round);
  return sample;
}

/**
 * Per round and route: the floor's /ping, then each side's route (the sides' order alternating by
 * round). Uploads: new random bytes each time (a repeat would be a dedupe hit), floor then sides.
 */
async function measure(sides) {
  const names = Object.keys(sides);
  await rps(floor.pid, `${floor.url}/ping`); // warm every isolate
  await rps(floorBehindAssets.pid, `${floorBehindAssets.url}/ping`);
  for (const side of Object.values(sides))
    for (const r of side.routes) await rps(side.server.pid, r.url, r.headers, r.expect);

  // `--only "GET /me,404"`: just these routes (a name up to its bracketed note).
  const only = values.only?.split(",");
  const routes = sides.app.routes
    .map((r) => r.name)
    .filter((n) => !only || only.some((o) => n === o || n.startsWith(`${o} `)));
  const samples = Object.fromEntries(routes.map((r) => [r, []]));
  const platform = Object.fromEntries(PLATFORM_CALLS.map(([call]) => [call, []]));
  for (let round = 0; round < ROUNDS; round++) {
    await platformRound(platform);
    const order = round % 2 ? [...names].reverse() : names;
    for (const route of routes) samples[route].push(await routeSample(sides, order, route));
    console.log(`round ${round + 1}/${ROUNDS} done (load ${load()})`);
  }
  const uploads = [];
  for (let round = 0; round < (UPLOAD_MB > 0 ? ROUNDS : 0); round++) {
    uploads.push(await uploadSample(sides, round % 2 ? [...names].reverse() : names, round));
    console.log(`upload ${round + 1}/${ROUNDS} done (load ${load()})`);
  }
  return { names, routes, samples, uploads, platform };
}

function report({ names, routes, samples, uploads, platform }) {
  const median = (xs) => percentile(xs, 50);
  const ratios = (xs) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(" ")})`;
  const ab = names.includes("baseline");
  // Two ratios per route: throughput (req/s ÷ the floor's) and CPU (the floor's CPU ms per request ÷
  // the route's), the second hardly moved by what else runs on the machine.
  const rows = routes.map((route) => {
    const s = samples[route];
    const row = {
      route,
      "floor req/s": median(s.map((x) => x.floor.rps)).toFixed(0),
      "floor CPU ms/req": median(s.map((x) => x.floor.cpuMsPerRequest)).toFixed(2),
    };
    for (const name of names) {
      row[`${name} req/s`] = median(s.map((x) => x[name].rps)).toFixed(0);
      row[`${name} ÷ floor`] = ratios(s.map((x) => x[name].rps / x.floor.rps));
      row[`${name} CPU ms/req`] = median(s.map((x) => x[name].cpuMsPerRequest)).toFixed(2);
      row[`${name} ÷ floor (CPU)`] = ratios(s.map((x) => x.floor.cpuMsPerRequest / x[name].cpuMsPerRequest));
    }
    if (ab) {
      row["app ÷ baseline"] = ratios(s.map((x) => x.app.rps / x.baseline.rps));
      row["app ÷ baseline (CPU)"] = ratios(s.map((x) => x.baseline.cpuMsPerRequest / x.app.cpuMsPerRequest));
    }
    return row;
  });
  if (uploads.length) {
    const upload = {
      route: `POST /media, ${UPLOAD_MB} MB of new bytes (ms; ratio = floor put+hash ms ÷ ms)`,
    };
    upload["floor req/s"] = median(uploads.map((u) => u.floor.ms)).toFixed(0);
    upload["floor CPU ms/req"] = median(uploads.map((u) => u.floor.cpuMs)).toFixed(0);
    for (const name of names) {
      upload[`${name} req/s`] = median(uploads.map((u) => u[name].ms)).toFixed(0);
      upload[`${name} ÷ floor`] = ratios(uploads.map((u) => u.floor.ms / u[name].ms));
      upload[`${name} CPU ms/req`] = median(uploads.map((u) => u[name].cpuMs)).toFixed(0);
      upload[`${name} ÷ floor (CPU)`] = ratios(uploads.map((u) => u.floor.cpuMs / u[name].cpuMs));
    }
    if (ab) {
      upload["app ÷ baseline"] = ratios(uploads.map((u) => u.baseline.ms / u.app.ms));
      upload["app ÷ baseline (CPU)"] = ratios(uploads.map((u) => u.baseline.cpuMs / u.app.cpuMs));
    }
    rows.push(upload);
  }
  const fileBytes = UPLOAD_MB * 1024 * 1024;
  const writes = Object.fromEntries(
    ["floor", ...names].map((n) => [
      n,
      uploads.length ? median(uploads.map((u) => u[n].written)) / fileBytes : null,
    ]),
  );
  const cost = Object.fromEntries(
    PLATFORM_CALLS.map(([call]) => [
      call,
      median(platform[call].map((x) => x.call.cpuMsPerRequest - x.ping.cpuMsPerRequest)),
    ]),
  );
  const pingCpu = median(Object.values(platform).flatMap((xs) => xs.map((x) => x.ping.cpuMsPerRequest)));
  const platformRows = PLATFORM_CALLS.map(([call, p, where]) => ({
    "floor route":
      where === "assets"
        ? `GET ${p} behind static assets (the app's [assets] with run_worker_first)`
        : typeof p === "function"
          ? `GET /ping/body (/ping with an answer of ${listingBytes} bytes, as long as the app's 50-item media page)`
          : `GET ${p} (/ping + one ${call})`,
    "CPU ms/req": median(platform[call].map((x) => x.call.cpuMsPerRequest)).toFixed(2),
    "/ping CPU ms/req (same round)": median(platform[call].map((x) => x.ping.cpuMsPerRequest)).toFixed(2),
    "the call's CPU ms": `${cost[call].toFixed(2)} (${platform[call].map((x) => (x.call.cpuMsPerRequest - x.ping.cpuMsPerRequest).toFixed(2)).join(" ")})`,
  }));
  const ceiling = pingCpu / (pingCpu + cost["asset router"] + cost["console line"] + cost["D1 read"]);
  // A cached listing: the asset router, its one D1 read (the cache version), a log line one request in
  // ten (REQUEST_LOG_SAMPLE) and its answer's length; nothing of our own.
  const listCeiling =
    pingCpu /
    (pingCpu +
      cost["asset router"] +
      cost["D1 read"] +
      cost["console line"] / 10 +
      cost["listing-sized answer"]);
  const machine = machineInfo();
  const loadAtEnd = load();
  const md = [
    "# API hot paths as fractions of the floor",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}. Load average (1/5/15 min) at start ${loadAtStart}, at end ${loadAtEnd}.`,
    "",
    `\`wrangler dev\` servers side by side: the floor worker (\`bench/floor\`: bare Hono \`GET /ping\`, raw R2 put with SHA-256) and ${ab ? `the app from ${values.app ?? "this checkout"} ("app") and from ${values.baseline} ("baseline")` : "the app"}. autocannon, ${CONNECTIONS} connections, ${SECONDS} s per cell; in each of ${ROUNDS} rounds every route is measured right after a floor \`/ping\` cell. Ratio = req/s ÷ the floor's req/s of the same round (uploads: the floor's put time ÷ the upload's time); CPU ratio = the floor's CPU ms per request ÷ the route's (CPU time of each server's process group, from /proc: hardly moved by other load); medians of the rounds, each round's in brackets. For an upload the CPU and time columns are per upload. Authenticated with a bearer access token; rate limits raised through RATE_LIMITS.`,
    "",
    markdownTable(rows),
    "",
    "What one platform call costs in this run (bench/floor: `/ping` plus the call, each cell right after a `/ping` cell; CPU of the floor's process group):",
    "",
    markdownTable(platformRows),
    "",
    `So a route behind the asset router (as every app route is) that logs its request line and reads D1 once, and does nothing else, reaches at most ${ceiling.toFixed(2)}× the floor by CPU here; a 50-item media page served from the isolate's cache (the asset router, one D1 read for the cache version, a log line one request in ten, an answer of ${listingBytes} bytes) at most ${listCeiling.toFixed(2)}×.`,
    "",
    ...(uploads.length
      ? [
          `Bytes written by workerd per byte of a ${UPLOAD_MB} MB upload (\`/proc/<pid>/io\` wchar: local R2 and D1): ${Object.entries(
            writes,
          )
            .map(([n, w]) => `${n} ${w.toFixed(2)}`)
            .join(", ")}.`,
        ]
      : []),
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
      baseline: values.baseline ?? null,
      samples,
      uploads,
      writes,
      rows,
      platform,
      platformCostMs: cost,
      ceilingAssetsLogAndOneRead: ceiling,
      listingBytes,
      ceilingCachedListing: listCeiling,
    },
    md,
  );
  console.log(md);
}
