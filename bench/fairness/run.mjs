// npm run bench:fairness — does one user's burst slow everyone else down? User B lists their library
// one request every B_INTERVAL_MS (4 a second: within B's own limit, api-user 30/300 refills 5 a
// second, so B is never refused itself); user A sends GET /media from A_CLIENTS connections for
// SECONDS, in a worker thread of its own (./flood.mjs). B's median latency meanwhile, over B's median
// alone (before and after the burst), is the fairness ratio (1 = no effect). Each config runs on a
// fresh `wrangler dev`, in the same run:
// - the floor: A sends one request at a time, not limited — sharing one isolate with a busy caller;
// - A's burst within its limit: A's clients wait out each 429's Retry-After;
// - A's flood: A's clients ignore 429s and send the next request at once;
// before (REFUSAL_HOLD_MS=0: a repeated refusal answers at once) and after (1 s, the default), with
// the deployed cap on a caller's requests running at once (4), without it, and with 1.
// Every request is logged (REQUEST_LOG_SAMPLE=1) and B's carry a tagged X-Request-Id, so B's time
// inside the app (from the first middleware to the log line) is read from the server's log: the rest
// of B's latency is spent outside the app's code (workerd, wrangler's proxy, the socket).
import { loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import {
  freePort,
  machineInfo,
  markdownTable,
  percentile,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const SECONDS = 10;
const A_CLIENTS = 16;
const B_INTERVAL_MS = 250;
const B_ALONE = 30;
const LIMITED = "30/300";
const CONFIGS = [
  {
    name: "floor: A 1 at a time, not limited",
    clients: 1,
    apiUser: "100000/100000",
    maxInFlight: "4",
    holdMs: "1000",
  },
  {
    name: "before: A's burst within its limit, cap 4, no hold",
    clients: A_CLIENTS,
    honour: true,
    maxInFlight: "4",
    holdMs: "0",
  },
  {
    name: "after: A's burst within its limit, cap 4, hold 1 s",
    clients: A_CLIENTS,
    honour: true,
    maxInFlight: "4",
    holdMs: "1000",
  },
  { name: "before: A floods past 429s, no cap, no hold", clients: A_CLIENTS, maxInFlight: "0", holdMs: "0" },
  { name: "before: A floods past 429s, cap 4, no hold", clients: A_CLIENTS, maxInFlight: "4", holdMs: "0" },
  {
    name: "after: A floods past 429s, cap 4, hold 1 s",
    clients: A_CLIENTS,
    maxInFlight: "4",
    holdMs: "1000",
  },
  {
    name: "after: A floods past 429s, cap 1, hold 1 s",
    clients: A_CLIENTS,
    maxInFlight: "1",
    holdMs: "1000",
  },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const counts = (statuses) =>
  Object.entries(statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");

async function json(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

async function signIn(base, email) {
  const password = "A-fairness-passphrase-2026";
  const post = (path, body) =>
    json(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/auth/register", { email, password }).catch(() => {});
  return (await post("/auth/login", { email, password })).accessToken;
}

/** User B: one tagged request every B_INTERVAL_MS; its latency and status are kept. */
function userB(url, token) {
  const statuses = {};
  let sent = 0;
  const request = async (tag) => {
    const started = performance.now();
    const res = await fetch(url, {
      headers: {
        authorization: `Bearer ${token}`,
        "cache-control": "no-cache",
        "x-request-id": `${tag}-${String(sent++).padStart(6, "0")}`,
      },
    });
    await res.arrayBuffer();
    const ms = performance.now() - started;
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    await sleep(B_INTERVAL_MS - ms);
    return ms;
  };
  request.statuses = statuses;
  return request;
}

/** A's clients in a worker thread; resolves to the statuses A was answered. */
function userA(url, token, config) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./flood.mjs", import.meta.url), {
      workerData: { url, token, concurrency: config.clients, seconds: SECONDS, honour: !!config.honour },
    });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

/** The app's own duration (ms) of each logged request whose X-Request-Id starts with `tag`. */
function inAppMs(log, tag) {
  return log
    .split("\n")
    .filter((line) => line.includes(`"requestId":"${tag}-`))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))).durationMs);
}

async function measure(config) {
  const server = await startDevServer({
    port: await freePort(),
    vars: {
      RATE_LIMITS: `login-account=100/100,login-account-client=100/100,login-ip=100/100,register-ip=100/100,api-user=${config.apiUser ?? LIMITED},anon-ip=1000/1000`,
      CALLER_MAX_IN_FLIGHT: config.maxInFlight,
      REFUSAL_HOLD_MS: config.holdMs,
      REQUEST_LOG_SAMPLE: "1",
    },
  });
  try {
    const base = `${server.url}/api/v1`;
    const [a, b] = [await signIn(base, "a@fair.example"), await signIn(base, "b@fair.example")];
    const list = `${base}/media?limit=50`;
    const bRequest = userB(list, b);
    for (let i = 0; i < 5; i++) await bRequest("warm");
    const alone = [];
    for (let i = 0; i < B_ALONE; i++) alone.push(await bRequest("alone"));
    const aSide = userA(list, a, config);
    const end = performance.now() + SECONDS * 1000;
    const during = [];
    while (performance.now() < end) during.push(await bRequest("during"));
    const aStatuses = await aSide;
    // B alone again once A is done (and B's bucket has refilled a little), so a machine whose speed
    // drifts during the run moves both sides of the ratio alike.
    await sleep(2000);
    for (let i = 0; i < B_ALONE; i++) alone.push(await bRequest("alone"));
    await sleep(500); // the last log lines
    const log = server.log();
    const [aloneP50, duringP50] = [percentile(alone, 50), percentile(during, 50)];
    const [appAloneP50, appDuringP50] = [
      percentile(inAppMs(log, "alone"), 50),
      percentile(inAppMs(log, "during"), 50),
    ];
    return {
      config: config.name,
      bAloneP50Ms: round(aloneP50),
      bDuringP50Ms: round(duringP50),
      ratio: round(duringP50 / aloneP50, 2),
      bInAppAloneP50Ms: appAloneP50,
      bInAppDuringP50Ms: appDuringP50,
      inAppRatio: round(appDuringP50 / appAloneP50, 2),
      bSamplesDuring: during.length,
      aStatuses,
      bStatuses: bRequest.statuses,
    };
  } finally {
    server.stop();
  }
}

const loadBefore = loadavg();
const rows = [];
for (const config of CONFIGS) {
  const row = await measure(config);
  console.log(JSON.stringify(row));
  rows.push(row);
}
const loadAfter = loadavg();
const machine = machineInfo();
const load = `load average ${loadBefore.map((x) => x.toFixed(2)).join(", ")} before, ${loadAfter.map((x) => x.toFixed(2)).join(", ")} after`;
writeResults(
  "fairness",
  {
    machine,
    load: { before: loadBefore, after: loadAfter },
    seconds: SECONDS,
    aClients: A_CLIENTS,
    bIntervalMs: B_INTERVAL_MS,
    rows,
  },
  `# Fairness: user B's latency while user A bursts

Machine: ${machine.cpu}, ${machine.cores} cores (shared with other developers' test runs), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}; ${load}. Through \`wrangler dev\` (one local isolate), api-user ${LIMITED} unless the config says otherwise.

For ${SECONDS} s, A sends GET /api/v1/media from ${A_CLIENTS} connections at once (the floor: 1); B sends the same request every ${B_INTERVAL_MS} ms (within its own limit). Ratio = B's median during A's burst / B's median alone; in-app = B's duration inside the app's middleware, from the server's log.

${markdownTable(rows.map((r) => ({ ...r, aStatuses: counts(r.aStatuses), bStatuses: counts(r.bStatuses) })))}
`,
);
