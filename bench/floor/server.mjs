// Starts the floor worker (bench/floor) under `wrangler dev` on free ports with throw-away state.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { wranglerEnv } from "../../scripts/lib/dev-server.mjs";
import { freePort, repoRoot } from "../lib/harness.mjs";

/** `config`: bench/floor/wrangler.toml, or bench/floor/wrangler.assets.toml (the same worker behind static assets, as the app is). */
export async function startFloorServer({ timeoutMs = 90_000, config = "bench/floor/wrangler.toml" } = {}) {
  const port = await freePort();
  const stateDir = mkdtempSync(path.join(tmpdir(), "edgecraft-floor-"));
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "-c",
      config,
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      stateDir,
      "--show-interactive-dev-session=false",
    ],
    { cwd: repoRoot, env: wranglerEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    rmSync(stateDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`the floor worker did not start:\n${log.slice(-3000)}`);
    }
    await sleep(250);
  }
  return { url, stop, pid: child.pid };
}
