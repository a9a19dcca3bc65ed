// `npm run bench:profile [-- --route /api/v1/me --seconds 10 --top 40]`: where a signed-in request's
// JavaScript time goes in `wrangler dev`. Starts the app as bench:api does (rate limits raised), signs
// a bench user in, records a V8 CPU profile through the worker's inspector while autocannon loads one
// route, and prints self time per function and per source file (the bundle's source map names the
// files; `--out` keeps the profile, `--source-out` the bundle it refers to), so a cut in the per-request path is aimed before it is A/B-measured with bench:api.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import WebSocket from "ws";
import { machineInfo, markdownTable, startDevServer } from "../lib/harness.mjs";

const { values } = parseArgs({
  options: {
    route: { type: "string", default: "/api/v1/me" },
    seconds: { type: "string", default: "10" },
    top: { type: "string", default: "40" },
    out: { type: "string" },
    "source-out": { type: "string" },
  },
});

const vars = {
  ACCESS_TOKEN_TTL_SECONDS: "86400",
  CALLER_MAX_IN_FLIGHT: "0",
  RATE_LIMITS:
    "login-account=1000/1000,login-account-client=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=100000000/100000000,anon-ip=100000000/100000000",
};

const server = await startDevServer({ vars });
try {
  const base = `${server.url}/api/v1`;
  const post = async (p, body) => {
    const res = await fetch(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const email = "profile-bench@example.com";
  const password = "A-bench-passphrase-2026";
  await post("/auth/register", { email, password });
  const { accessToken } = await post("/auth/login", { email, password });
  const headers = { authorization: `Bearer ${accessToken}` };
  const url = `${server.url}${values.route}`;
  // Warm the isolate (caches, leases) before the profile starts.
  await load(url, headers, 2);

  const inspector = await connectInspector(server.inspectorPort);
  await inspector.send("Debugger.enable");
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const result = await load(url, headers, Number(values.seconds));
  const { profile } = await inspector.send("Profiler.stop");
  const markers = await moduleMarkers(inspector, profile);
  inspector.close();
  if (values.out) writeFileSync(values.out, JSON.stringify(profile));

  const { byFunction, byFile, totalMs, idleMs } = summarize(profile, markers);
  const requests = result.requests.total;
  const busyMs = totalMs - idleMs;
  const top = Number(values.top);
  console.log(
    `${Object.values(machineInfo()).join(", ")}\n${values.route}: ${requests} requests in ${values.seconds} s (${result.requests.average} req/s); ` +
      `JS busy ${busyMs.toFixed(0)} ms = ${(busyMs / requests).toFixed(3)} ms per request (idle ${idleMs.toFixed(0)} ms)\n`,
  );
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({
        name,
        "self ms": ms.toFixed(1),
        "share of busy": `${((100 * ms) / busyMs).toFixed(1)} %`,
        "ms per request": (ms / requests).toFixed(4),
      }));
  console.log(`${markdownTable(rows(byFile))}\n`);
  console.log(markdownTable(rows(byFunction)));
} finally {
  server.stop();
}

function load(url, headers, seconds) {
  return new Promise((resolve, reject) =>
    autocannon({ url, headers, connections: 10, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

/** A CDP session with the worker's V8 over the dev server's inspector port. */
async function connectInspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    message.error ? pending.reject(new Error(message.error.message)) : pending.resolve(message.result);
  };
  return {
    send(method, params = {}) {
      const messageId = ++id;
      ws.send(JSON.stringify({ id: messageId, method, params }));
      return new Promise((resolve, reject) => waiting.set(messageId, { resolve, reject }));
    },
    close: () => ws.close(),
  };
}

/**
 * For each bundled script, its esbuild module markers (`// src/…` / `// node_modules/…` lines that
 * open each module): a line of the bundle belongs to the last marker above it.
 */
async function moduleMarkers(inspector, profile) {
  const markers = new Map();
  for (const node of profile.nodes) {
    const { scriptId, url } = node.callFrame;
    if (!url?.endsWith(".js") || url.startsWith("node-internal") || markers.has(scriptId)) continue;
    const { scriptSource } = await inspector.send("Debugger.getScriptSource", { scriptId });
    if (values["source-out"] && url === "index.js") writeFileSync(values["source-out"], scriptSource);
    const list = [];
    scriptSource.split("\n").forEach((line, i) => {
      const m = /^\/\/ ((?:src|node_modules|\.\.\/)[^\s]*)$/.exec(line);
      if (m) list.push([i, m[1].replace(/^(\.\.\/)+/, "").replace(/^.*node_modules\//, "node_modules/")]);
    });
    markers.set(scriptId, list);
  }
  return markers;
}

function moduleOf(markers, scriptId, line) {
  const list = markers.get(scriptId);
  if (!list?.length) return null;
  let lo = 0;
  let hi = list.length - 1;
  if (line < list[0][0]) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid][0] <= line) lo = mid;
    else hi = mid - 1;
  }
  // A package is one entry (node_modules/<name>/…), our own files each their own.
  const name = list[lo][1];
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(name);
  return pkg ? `node_modules/${pkg[1]}` : name;
}

/** Self time per function and per module (the bundle's module markers name the files). */
function summarize(profile, markers) {
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = deltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + us);
  }
  const byFunction = new Map();
  const byFile = new Map();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = (selfUs.get(node.id) ?? 0) / 1000;
    totalMs += ms;
    const { functionName, url, lineNumber, scriptId } = node.callFrame;
    if (functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const file =
      moduleOf(markers, scriptId, lineNumber) ?? (url ? path.basename(url) : `(${functionName || "native"})`);
    const key = `${functionName || "(anonymous)"} (${file})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  return { byFunction, byFile, totalMs, idleMs };
}
