// npm run bench:foundation — what a login costs (the scrypt KDF) and how fast `wrangler dev`
// serves GET /api/v1/me, authenticated by access token, by session cookie and by API key.
import { scryptSync } from "node:crypto";
import autocannon from "autocannon";
import { machineInfo, markdownTable, percentile, startDevServer, writeResults } from "../lib/harness.mjs";

const KDF = { N: 2 ** 14, r: 8, p: 5 }; // keep equal to CURRENT_PARAMS in src/auth/password.ts
const LOGINS = 30;
const SECONDS = 10;
const CONNECTIONS = 10;

function kdfCpuMs(rounds = 20) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const before = process.cpuUsage();
    scryptSync("correct horse battery staple", "0123456789abcdef", 32, { ...KDF, maxmem: 64 * 2 ** 20 });
    const used = process.cpuUsage(before);
    samples.push((used.user + used.system) / 1000);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function json(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

async function load(url, headers) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const errors = result.non2xx + result.errors;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
  };
}

const nodeKdf = kdfCpuMs();
const server = await startDevServer({
  vars: {
    RATE_LIMITS: "login-account=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=1000000/1000000",
  },
});
try {
  const base = `${server.url}/api/v1`;
  const email = "bench@example.com";
  const password = "A-bench-passphrase-2026";
  const post = (path, body, headers = {}) =>
    json(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  await post("/auth/register", { email, password });

  const loginMs = [];
  let session;
  for (let i = 0; i < LOGINS; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    loginMs.push(performance.now() - started);
    session = { body: await res.json(), cookie: res.headers.getSetCookie()[0].split(";")[0] };
  }
  const { secret } = await post(
    "/api-keys",
    { name: "bench", scopes: ["account:read"] },
    { authorization: `Bearer ${session.body.accessToken}` },
  );

  const rows = [
    {
      auth: "access token (JWT)",
      ...(await load(`${base}/me`, { authorization: `Bearer ${session.body.accessToken}` })),
    },
    {
      auth: "session cookie (KV)",
      ...(await load(`${base}/me`, { cookie: session.cookie, origin: server.url })),
    },
    { auth: "API key", ...(await load(`${base}/me`, { authorization: `Bearer ${secret}` })) },
    { auth: "none (GET /health)", ...(await load(`${base}/health`, {})) },
  ];
  const results = {
    machine: machineInfo(),
    kdf: { params: KDF, nodeCpuMsP50: nodeKdf.p50, nodeCpuMsP95: nodeKdf.p95 },
    login: { samples: LOGINS, wallMsP50: percentile(loginMs, 50), wallMsP95: percentile(loginMs, 95) },
    me: { connections: CONNECTIONS, seconds: SECONDS, rows },
  };
  const fmt = (n) => n.toFixed(1);
  const md = [
    "# Foundation benchmark",
    "",
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.machine.node}, ${results.machine.date}`,
    "",
    `## Password KDF (scrypt N=2^14, r=8, p=5)`,
    "",
    markdownTable([
      { measure: "scrypt CPU ms per hash (Node, p50)", value: fmt(nodeKdf.p50) },
      { measure: "scrypt CPU ms per hash (Node, p95)", value: fmt(nodeKdf.p95) },
      { measure: "POST /auth/login wall ms via wrangler dev (p50)", value: fmt(results.login.wallMsP50) },
      { measure: "POST /auth/login wall ms via wrangler dev (p95)", value: fmt(results.login.wallMsP95) },
    ]),
    "",
    `## GET /api/v1/me through wrangler dev (${CONNECTIONS} connections, ${SECONDS} s each, autocannon)`,
    "",
    markdownTable(rows.map((r) => ({ ...r, p50: `${r.p50} ms`, p99: `${r.p99} ms` }))),
    "",
  ].join("\n");
  writeResults("foundation", results, md);
  console.log(md);
} finally {
  server.stop();
}
