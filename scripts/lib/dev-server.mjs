// What `npm run dev` (scripts/dev.mjs) and the throw-away servers of the benchmarks and browser tests
// (bench/lib/harness.mjs) share about starting `wrangler dev`: ports, the origin the app believes it
// is served from, and waiting until it answers.
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Whether nothing listens on `port` right now (a later bind can still lose a race; it then fails loudly). */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** `preferred` when it is free, otherwise any free port. */
export async function portOr(preferred) {
  return (await isPortFree(preferred)) ? preferred : freePort();
}

/**
 * The arguments after `wrangler dev`. APP_ORIGIN follows the port, so share links, CSRF checks and
 * WebSocket origin checks name the origin the browser really uses. The inspector gets a port of its
 * own so two dev servers (or a dev server and a benchmark) never fight over 9229.
 */
export function wranglerDevArgs({ port, inspectorPort, envFile, vars = {} }) {
  const all = { APP_ORIGIN: `http://localhost:${port}`, ...vars };
  return [
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    ...(envFile ? ["--env-file", envFile] : []),
    ...Object.entries(all).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
}

/** Environment for wrangler: no `Request.cf` download, no telemetry (both would go to the internet). */
export function wranglerEnv() {
  return { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
}

/** Resolves once `GET <url>/api/v1/health` answers 200; rejects when `child` exits first or time runs out. */
export async function waitHealthy(url, child, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return;
    } catch {}
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`wrangler dev did not answer ${url} within ${timeoutMs} ms`);
    await sleep(250);
  }
}
