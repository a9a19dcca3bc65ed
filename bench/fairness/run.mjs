// npm run bench:fairness — does one user's burst slow everyone else down? User B lists their library
// one request at a time; user A sends as many requests as it can (CONCURRENCY at a time) to the same
// route for SECONDS. B's median latency meanwhile, over B's median alone, is the fairness ratio
// (1 = no effect). Measured for the old per-user burst (api-user capacity 300) and the current one
// (30, with 60 between), each on a fresh `wrangler dev`, in the same run. Refusals are cheap now (an isolate that saw
// a bucket empty refuses without asking it again, before authentication's D1 reads), so what A gets
// served is what slows B down.
import {
  freePort,
  machineInfo,
  markdownTable,
  percentile,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const SECONDS = 8;
const CONCURRENCY = 16;
const B_ALONE = 150;
const CONFIGS = [
  { name: "before (api-user 300/300)", apiUser: "300/300" },
  { name: "api-user 60/300", apiUser: "60/300" },
  { name: "now (api-user 30/300)", apiUser: "30/300" },
];

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

async function timed(url, token) {
  const started = performance.now();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, "cache-control": "no-cache" },
  });
  await res.arrayBuffer();
  return { ms: performance.now() - started, status: res.status };
}

async function measure(config) {
  const server = await startDevServer({
    port: await freePort(),
    vars: {
      RATE_LIMITS: `login-account=100/100,login-account-client=100/100,login-ip=100/100,register-ip=100/100,api-user=${config.apiUser},anon-ip=1000/1000`,
    },
  });
  try {
    const base = `${server.url}/api/v1`;
    const [a, b] = [await signIn(base, "a@fair.example"), await signIn(base, "b@fair.example")];
    const list = `${base}/media?limit=50`;
    for (let i = 0; i < 20; i++) await timed(list, b); // warm up
    const alone = [];
    for (let i = 0; i < B_ALONE; i++) alone.push((await timed(list, b)).ms);
    // Let B's bucket refill a little so B itself is never limited during the burst.
    await new Promise((r) => setTimeout(r, 2000));
    const statuses = {};
    const end = performance.now() + SECONDS * 1000;
    const flood = async () => {
      while (performance.now() < end) {
        const { status } = await timed(list, a);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    };
    const during = [];
    const bSide = (async () => {
      while (performance.now() < end) during.push((await timed(list, b)).ms);
    })();
    await Promise.all([bSide, ...Array.from({ length: CONCURRENCY }, flood)]);
    // B alone again once A's burst is over (after its bucket has had time to refill), so a machine
    // whose speed drifts during the run moves both sides of the ratio alike.
    await new Promise((r) => setTimeout(r, 3000));
    for (let i = 0; i < B_ALONE; i++) alone.push((await timed(list, b)).ms);
    const aloneP50 = percentile(alone, 50);
    const duringP50 = percentile(during, 50);
    return {
      config: config.name,
      bAloneP50Ms: Math.round(aloneP50 * 10) / 10,
      bDuringBurstP50Ms: Math.round(duringP50 * 10) / 10,
      ratio: Math.round((duringP50 / aloneP50) * 100) / 100,
      bSamplesDuring: during.length,
      aStatuses: statuses,
    };
  } finally {
    server.stop();
  }
}

const rows = [];
for (const config of CONFIGS) rows.push(await measure(config));
const machine = machineInfo();
writeResults(
  "fairness",
  { machine, seconds: SECONDS, concurrency: CONCURRENCY, rows },
  `# Fairness: user B's latency while user A bursts\n\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}. Through \`wrangler dev\` (one local isolate).\n\nFor ${SECONDS} s, A sends GET /api/v1/media as fast as it can (${CONCURRENCY} at a time); B lists the same way one request at a time. Ratio = B's median during A's burst / B's median alone.\n\n${markdownTable(
    rows.map((r) => ({
      ...r,
      aStatuses: Object.entries(r.aStatuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(" "),
    })),
  )}\n`,
);
console.log(JSON.stringify(rows, null, 2));
