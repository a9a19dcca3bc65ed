// Shared pieces of the benchmarks that drive `wrangler dev`: a throw-away dev server with its own
// persisted state, the machine description every result carries, and result writing.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, platform, release, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { freePort, waitHealthy, wranglerDevArgs, wranglerEnv } from "../../scripts/lib/dev-server.mjs";

export { freePort };

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Where and on what a benchmark ran: results are only comparable on the same machine. */
export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** Runs a command to completion, inheriting output; rejects on a non-zero exit. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: repoRoot,
      stdio: options.quiet ? "ignore" : "inherit",
      ...options,
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`)),
    );
  });
}

/**
 * Starts `wrangler dev` on `port` (a free one if not given) with fresh local state (migrations
 * applied), its own inspector port, and the given vars. `logFile`, if given, receives the server's
 * output as it comes (for runs that hang). `root` is the checkout to serve (another one for an A/B
 * run). Returns its base URL, the process group id and a stop function that kills the whole process
 * group and removes the state. `scheduled` exposes `GET /cdn-cgi/handler/scheduled?cron=…`, which runs the cron
 * handler on demand (wrangler dev runs no cron by itself).
 * @param {{ port?: number, vars?: Record<string, string>, timeoutMs?: number, logFile?: string,
 *   reuseState?: string, root?: string, scheduled?: boolean }} [options]
 */
export async function startDevServer({
  port,
  vars = {},
  timeoutMs = 90_000,
  logFile,
  reuseState,
  root = repoRoot,
  scheduled = false,
} = {}) {
  port ??= await freePort();
  // `reuseState` (the `stateDir` of a stopped server) starts again on the same local data.
  const stateDir = reuseState ?? mkdtempSync(path.join(tmpdir(), "edgecraft-bench-"));
  const persist = path.join(stateDir, "state");
  const envFile = path.join(stateDir, ".env");
  const env = wranglerEnv();
  if (!reuseState) {
    mkdirSync(persist);
    writeFileSync(envFile, `AUTH_SECRET=${"b".repeat(48)}\n`);
    await run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
      cwd: root,
      env,
      quiet: true,
    });
  }
  const inspectorPort = await freePort();
  const args = wranglerDevArgs({ port, inspectorPort, envFile, vars });
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      ...args,
      ...(scheduled ? ["--test-scheduled"] : []),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const onData = (d) => {
    log += d;
    if (logFile) appendFileSync(logFile, d);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child, timeoutMs);
  } catch (error) {
    stop();
    throw new Error(`${error.message}:\n${log.slice(-3000)}`);
  }
  function stop() {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    rmSync(stateDir, { recursive: true, force: true });
  }
  /** Kills the server at once (SIGKILL, no shutdown) and keeps its state for `reuseState`. */
  function crash() {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
    return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", resolve)));
  }
  return { url, stop, crash, stateDir, persist, pid: child.pid, inspectorPort, log: () => log };
}

/** Writes `bench/results/<name>.json` and `.md`. */
export function writeResults(name, json, markdown) {
  const dir = path.join(repoRoot, "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(dir, `${name}.md`), markdown);
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A Markdown table from rows of equal keys. */
export function markdownTable(rows) {
  const keys = Object.keys(rows[0] ?? {});
  return [
    `| ${keys.join(" | ")} |`,
    `| ${keys.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${keys.map((k) => r[k]).join(" | ")} |`),
  ].join("\n");
}

/** A multipart/form-data body with one `file` part (what POST /api/v1/media reads). */
export function multipart(bytes, name) {
  const boundary = `----bench${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), type: `multipart/form-data; boundary=${boundary}` };
}
