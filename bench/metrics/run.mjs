// What request metrics cost a request (issue 17): the same Worker twice under `wrangler dev`, one with
// METRICS_ENABLED=false (A) and one with metrics on (B), measured in alternating rounds in one run so
// both see the same machine load; the ratio B/A is the overhead. Then how many rollup rows D1 holds
// for the requests B answered. `npm run bench:metrics`; results in bench/results/metrics.{json,md}.
import { execFileSync } from "node:child_process";
import autocannon from "autocannon";
import { machineInfo, markdownTable, repoRoot, startDevServer, writeResults } from "../lib/harness.mjs";

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const SECONDS = Number(process.env.SECONDS ?? 8);
const CONNECTIONS = 8;
const PATH = "/api/v1/announcements"; // anonymous, one D1 read: a small real route
const vars = { RATE_LIMITS: "anon-ip=100000000/100000000,api-user=100000000/100000000" };

async function round(url) {
  const r = await autocannon({ url: `${url}${PATH}`, connections: CONNECTIONS, duration: SECONDS });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.non2xx + r.errors,
    // Which answers the errors were (status → count; "socket" for connection errors and timeouts).
    statuses: {
      ...Object.fromEntries(Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count])),
      ...(r.errors ? { socket: r.errors } : {}),
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const off = await startDevServer({
  vars: { ...vars, METRICS_ENABLED: "false" },
  logFile: process.env.LOG_OFF,
});
const on = await startDevServer({ vars: { ...vars, METRICS_ENABLED: "true" }, logFile: process.env.LOG_ON });
try {
  const runs = { off: [], on: [] };
  await round(off.url); // warm both
  await round(on.url);
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = i % 2 === 0 ? ["off", "on"] : ["on", "off"];
    for (const which of order) runs[which].push(await round(which === "off" ? off.url : on.url));
  }
  await new Promise((r) => setTimeout(r, 12_000)); // past one flush interval
  const rows = JSON.parse(
    execFileSync(
      "npx",
      [
        "wrangler",
        "d1",
        "execute",
        "DB",
        "--local",
        "--persist-to",
        on.persist,
        "--json",
        "--command",
        "SELECT count(*) AS rows, sum(count) AS requests, count(DISTINCT route || status_class) AS series, count(DISTINCT minute) AS minutes FROM metric_rollups",
      ],
      { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    ),
  )[0].results[0];
  const summary = (xs) => ({
    rps: Math.round(median(xs.map((x) => x.rps))),
    p50: median(xs.map((x) => x.p50)),
    p99: median(xs.map((x) => x.p99)),
    errors: xs.reduce((a, x) => a + x.errors, 0),
  });
  const a = summary(runs.off);
  const b = summary(runs.on);
  const results = {
    machine: machineInfo(),
    setup: { path: PATH, rounds: ROUNDS, secondsPerRound: SECONDS, connections: CONNECTIONS },
    off: a,
    on: b,
    ratio: { throughput: b.rps / a.rps, p50: b.p50 / Math.max(1, a.p50), p99: b.p99 / Math.max(1, a.p99) },
    rollups: rows,
    rounds: runs,
  };
  const md = [
    "# Request metrics: overhead per request (A/B in one run)",
    "",
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.os}, node ${results.machine.node}, ${results.machine.date}.`,
    `GET ${PATH} through two \`wrangler dev\` servers of the same build (A: METRICS_ENABLED=false, B: on), ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections (autocannon); medians of the rounds.`,
    "",
    markdownTable([
      { server: "A metrics off", "req/s": a.rps, p50: `${a.p50} ms`, p99: `${a.p99} ms`, errors: a.errors },
      { server: "B metrics on", "req/s": b.rps, p50: `${b.p50} ms`, p99: `${b.p99} ms`, errors: b.errors },
      {
        server: "ratio B/A",
        "req/s": results.ratio.throughput.toFixed(3),
        p50: results.ratio.p50.toFixed(3),
        p99: results.ratio.p99.toFixed(3),
        errors: "",
      },
    ]),
    "",
    `D1 after B's ${rows.requests} measured requests: ${rows.rows} rollup rows (${rows.series} route × status-class series over ${rows.minutes} minutes) — one row per series per minute, whatever the traffic.`,
    "",
  ].join("\n");
  writeResults("metrics", results, md);
  console.log(md);
} finally {
  off.stop();
  on.stop();
}
