// npm run bench:organize — the organizer through `wrangler dev` (local Queues, D1, DO):
// seeds N media rows straight into local D1 (10k, 100k; BENCH_ORGANIZE_SIZES overrides), then per
// size: POST /organize {dryRun:true} (scan + duplicates + plan), POST /jobs/:id/apply, POST
// /jobs/:id/rollback; files/second for each, and the peak RSS (VmHWM) of the workerd processes.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import {
  freePort,
  machineInfo,
  markdownTable,
  repoRoot,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const SIZES = (process.env.BENCH_ORGANIZE_SIZES ?? "10000,100000").split(",").map(Number);
const CHUNK = process.env.BENCH_ORGANIZE_CHUNK ?? "5000";
/**
 * Minutes the whole run may take: 15, plus 40 per million files (1M files take a while on 2 shared
 * cores: a loaded run of the plan alone took 19 min), unless BENCH_ORGANIZE_DEADLINE_MIN says.
 */
const DEADLINE_MS =
  Number(
    process.env.BENCH_ORGANIZE_DEADLINE_MIN ?? 15 + (40 * SIZES.reduce((a, b) => a + b, 0)) / 1_000_000,
  ) * 60_000;
/** Rows per seed file: `wrangler d1 execute --file` reads the whole file into memory. */
const SEED_FILE_ROWS = 100_000;
const started = Date.now();
setTimeout(() => {
  console.error("bench:organize ran out of time");
  process.exit(2);
}, DEADLINE_MS).unref();

// Tag our own processes so the workerd we measure is ours, not another run's on the same machine.
const TAG = `organize-bench-${process.pid}`;
process.env.EDGECRAFT_BENCH_TAG = TAG;

function ourWorkerdPids() {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmd.includes("workerd")) continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").includes(TAG)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** Peak resident set (VmHWM) over our workerd processes, in MiB. */
function peakRssMiB() {
  let peak = 0;
  for (const pid of ourWorkerdPids()) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {}
  }
  return Math.round(peak);
}

/**
 * CPU seconds (user + system) our workerd processes have used so far. They run the Worker and local
 * D1 alike, so a phase's difference is its cost in CPU — unlike wall time, barely moved by how many
 * other processes share the 2 cores.
 */
function workerdCpuSeconds() {
  let ticks = 0;
  for (const pid of ourWorkerdPids()) {
    try {
      // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / 100; // USER_HZ
}

const TYPES = [
  ["photo", "png", "image/png", "image"],
  ["scan", "jpg", "image/jpeg", "image"],
  ["logo", "svg", "image/svg+xml", "image"],
  ["report", "pdf", "application/pdf", "document"],
  ["sheet", "csv", "text/csv", "text"],
  ["song", "mp3", "audio/mpeg", "audio"],
  ["clip", "mp4", "video/mp4", "video"],
  ["backup", "zip", "application/zip", "archive"],
  ["notes", "txt", "text/plain", "text"],
  ["blob", "bin", "application/octet-stream", "other"],
];

/** Rows [from, to) of N in 40 folders, names repeating (so destinations conflict), 2 % planted duplicates. */
function seedSql(userId, from, to, prefix) {
  const lines = [];
  for (let start = from; start < to; start += 200) {
    const values = [];
    for (let i = start; i < Math.min(to, start + 200); i++) {
      const [stem, ext, mime, kind] = TYPES[i % TYPES.length];
      const name = `${stem}-${i % 997}.${ext}`;
      const folder = `/import/batch-${i % 40}`;
      const dup = i % 50 === 1; // a copy of the row before it
      const sha = (dup ? i - 1 : i).toString(16).padStart(64, "0");
      const size = 1000 + ((dup ? i - 1 : i) % 100_000);
      const created = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
      const id = `med_${prefix}${String(i).padStart(12, "0")}`;
      values.push(
        `('${id}','${userId}','${name}','${name}','${folder}','${mime}','${kind}',${size},'${sha}','[]','${created}','${created}')`,
      );
    }
    lines.push(
      `INSERT INTO media (id, owner_id, name, name_key, folder, mime, kind, size, sha256, tags, created_at, updated_at) VALUES ${values.join(",")};`,
    );
  }
  return lines.join("\n");
}

/**
 * Runs a command without blocking the event loop. (It used to be spawnSync: while the 100k seed ran
 * for >5 s the loop was frozen, workerd closed the idle keep-alive connection, undici never saw the
 * FIN and sent the next request — POST /organize — on the dead socket: "other side closed". The
 * request never reached the Worker; 10k seeds finish inside workerd's idle timeout.)
 */
function runAsync(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (status) => resolve({ status, out }));
  });
}

async function d1Json(persist, command) {
  const { status, out } = await runAsync(
    "npx",
    ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", persist, "--json", "--command", command],
    { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  );
  if (status !== 0) throw new Error(`d1 execute failed: ${out}`);
  return JSON.parse(out.slice(out.indexOf("[")))[0].results;
}

/**
 * Where a job's wall time went: chunks (deliveries); in the consumer, the work up to the checkpoint
 * (`duration_ms`) and the checkpoint's D1 batch itself (`stage_timings.write`, timed by the runner
 * around the batch); the rest is queue hand-off, progress publishes and polling.
 */
async function chunkProfile(persist, jobId, wallSeconds) {
  const [row] = await d1Json(
    persist,
    `SELECT count(*) AS chunks, coalesce(sum(duration_ms), 0) AS work_ms,
      coalesce(sum(json_extract(stage_timings, '$.write')), 0) AS write_ms
      FROM task_executions WHERE job_id = '${jobId}'`,
  );
  const { chunks } = row;
  const wallMs = wallSeconds * 1000;
  return {
    chunks,
    msPerChunk: Math.round(wallMs / chunks),
    workMsPerChunk: Math.round(row.work_ms / chunks),
    writeMsPerChunk: Math.round(row.write_ms / chunks),
    betweenChunksMs: Math.round((wallMs - row.work_ms - row.write_ms) / chunks),
  };
}

const server = await startDevServer({
  port: await freePort(),
  logFile: process.env.BENCH_ORGANIZE_LOG,
  vars: {
    RATE_LIMITS:
      "login-account=100/100,login-ip=100/100,register-ip=100/100,api-user=100000/100000,job-create=1000/1000,organize-user=1000/1000",
    ORGANIZE_CHUNK_SIZE: CHUNK,
  },
});
const base = `${server.url}/api/v1`;
const rows = [];
const raw = [];
const profiles = [];
try {
  /**
   * `auth` ({email, password, token}) signs in again when its access token ran out: at 1M files the
   * seed and the jobs outlast ACCESS_TOKEN_TTL_SECONDS.
   */
  const call = async (p, { method = "GET", body, auth } = {}) => {
    const send = () =>
      fetch(`${base}${p}`, {
        method,
        headers: {
          ...(body ? { "content-type": "application/json" } : {}),
          ...(auth?.token ? { authorization: `Bearer ${auth.token}` } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    let res = await send();
    if (res.status === 401 && auth) {
      auth.token = (
        await call("/auth/login", { method: "POST", body: { email: auth.email, password: auth.password } })
      ).accessToken;
      res = await send();
    }
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const waitFinal = async (id, auth) => {
    for (;;) {
      const { job } = await call(`/jobs/${id}`, { auth });
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const timed = async (label, n, start, auth) => {
    const t0 = performance.now();
    const { job } = await start();
    const done = await waitFinal(job.id, auth);
    const seconds = (performance.now() - t0) / 1000;
    if (done.status !== "succeeded")
      throw new Error(`${label}: ${done.status} ${JSON.stringify(done.error)}`);
    return { job: done, seconds, filesPerSecond: Math.round(n / seconds) };
  };

  for (const [index, n] of SIZES.entries()) {
    const email = `organize-bench-${index}@example.com`;
    const password = "A-bench-passphrase-2026";
    await call("/auth/register", { method: "POST", body: { email, password } });
    const { accessToken, user } = await call("/auth/login", {
      method: "POST",
      body: { email, password },
    });
    const auth = { email, password, token: accessToken };
    const seedStart = performance.now();
    for (let from = 0; from < n; from += SEED_FILE_ROWS) {
      const file = path.join(tmpdir(), `organize-seed-${process.pid}-${n}-${from}.sql`);
      writeFileSync(file, seedSql(user.id, from, Math.min(n, from + SEED_FILE_ROWS), `b${index}`));
      const seeded = await runAsync(
        "npx",
        [
          "wrangler",
          "d1",
          "execute",
          "DB",
          "--local",
          "--persist-to",
          server.persist,
          "--file",
          file,
          "--yes",
        ],
        { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      );
      rmSync(file, { force: true });
      if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.out}`);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const rssBefore = peakRssMiB();
    const cpu0 = workerdCpuSeconds();
    const loadBefore = loadavg()[0];

    const plan = await timed(
      "plan",
      n,
      () => call("/organize", { method: "POST", auth, body: { dryRun: true, duplicates: "move" } }),
      auth,
    );
    const rssPlan = peakRssMiB();
    const cpu1 = workerdCpuSeconds();
    if (plan.job.result.files !== n) throw new Error(`plan saw ${plan.job.result.files} of ${n} files`);
    const apply = await timed(
      "apply",
      n,
      () => call(`/jobs/${plan.job.id}/apply`, { method: "POST", auth }),
      auth,
    );
    const rssApply = peakRssMiB();
    const cpu2 = workerdCpuSeconds();
    const rollback = await timed(
      "rollback",
      n,
      () => call(`/jobs/${plan.job.id}/rollback`, { method: "POST", auth }),
      auth,
    );
    const rssRollback = peakRssMiB();
    const cpu3 = workerdCpuSeconds();
    const cpuSeconds = { plan: cpu1 - cpu0, apply: cpu2 - cpu1, rollback: cpu3 - cpu2 };
    const loadAfter = loadavg()[0];
    const profile = {
      plan: await chunkProfile(server.persist, plan.job.id, plan.seconds),
      apply: await chunkProfile(server.persist, apply.job.id, apply.seconds),
      rollback: await chunkProfile(server.persist, rollback.job.id, rollback.seconds),
    };
    for (const [phase, p] of Object.entries(profile))
      p.cpuMsPerChunk = Math.round((cpuSeconds[phase] * 1000) / p.chunks);
    const moved = apply.job.result.statuses.moved ?? 0;
    raw.push({
      n,
      seedSeconds,
      plan: plan.seconds,
      apply: apply.seconds,
      rollback: rollback.seconds,
      moved,
      chunkSize: Number(CHUNK),
      rssBeforeMiB: rssBefore,
      rss: [rssPlan, rssApply, rssRollback],
      loadavg1m: [loadBefore, loadAfter],
      cpuSeconds,
      profile,
      result: apply.job.result,
    });
    rows.push({
      files: n.toLocaleString("en"),
      "scan+plan": `${plan.seconds.toFixed(1)} s · ${plan.filesPerSecond} files/s`,
      apply: `${apply.seconds.toFixed(1)} s · ${apply.filesPerSecond} files/s (${moved} moved)`,
      rollback: `${rollback.seconds.toFixed(1)} s · ${rollback.filesPerSecond} files/s`,
      "duplicate groups": plan.job.result.duplicates.groups,
      "workerd peak RSS": `${Math.max(rssPlan, rssApply, rssRollback)} MiB`,
      "load (1 min)": `${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
    });
    profiles.push({
      files: n.toLocaleString("en"),
      ...Object.fromEntries(
        Object.entries(profile).map(([k, p]) => [
          k,
          `${p.chunks} chunks · ${p.msPerChunk} ms each = ${p.workMsPerChunk} work + ${p.writeMsPerChunk} D1 write + ${p.betweenChunksMs} between · workerd CPU ${p.cpuMsPerChunk} ms`,
        ]),
      ),
    });
    // Each size's figures as soon as they exist: a long run cut short keeps them.
    console.log(JSON.stringify({ ...raw.at(-1), result: undefined }));
    console.log(`${markdownTable(rows.slice(-1))}\n\n${markdownTable(profiles.slice(-1))}\n`);
    if (Date.now() - started > DEADLINE_MS * 0.6) break;
  }

  const first = raw[0];
  const last = raw.at(-1);
  const rate = (phase) => (last ? last.n / last[phase] : 0);
  const perMillion = (phase) => (last ? (last[phase] * 1_000_000) / last.n / 60 : 0);
  // Growth with N: per-chunk times of the largest run over the smallest (1.0 = flat in N).
  const growth = (phase, key) =>
    first && last !== first ? (last.profile[phase][key] / first.profile[phase][key]).toFixed(2) : "–";
  const growthRows = ["plan", "apply", "rollback"].map((phase) => ({
    phase,
    [`ms/chunk at ${first?.n.toLocaleString("en")}`]: `${first?.profile[phase].msPerChunk} (write ${first?.profile[phase].writeMsPerChunk}, CPU ${first?.profile[phase].cpuMsPerChunk})`,
    [`ms/chunk at ${last?.n.toLocaleString("en")}`]: `${last?.profile[phase].msPerChunk} (write ${last?.profile[phase].writeMsPerChunk}, CPU ${last?.profile[phase].cpuMsPerChunk})`,
    "growth (chunk)": growth(phase, "msPerChunk"),
    "growth (D1 write)": growth(phase, "writeMsPerChunk"),
    // Wall time on this shared machine tracks its load; CPU time barely does.
    "growth (workerd CPU)": growth(phase, "cpuMsPerChunk"),
  }));
  const targetLine =
    last && last.n >= 1_000_000
      ? `At ${last.n.toLocaleString("en")} files: scan+plan+apply = ${((last.plan + last.apply) / 60).toFixed(1)} min (target < 5 min; workerd CPU ${((last.cpuSeconds.plan + last.cpuSeconds.apply) / 60).toFixed(1)} min), rollback ${(last.rollback / 60).toFixed(1)} min (CPU ${(last.cpuSeconds.rollback / 60).toFixed(1)} min), workerd peak ${Math.max(...last.rss)} MiB (target < 2048 MiB).`
      : `Linear projection from the largest run to 1,000,000 files: scan+plan ≈ ${perMillion("plan").toFixed(1)} min (${Math.round(rate("plan"))} files/s), apply ≈ ${perMillion("apply").toFixed(1)} min, rollback ≈ ${perMillion("rollback").toFixed(1)} min.`;
  const machine = machineInfo();
  const md = [
    "# Organizer benchmark (wrangler dev, local Queues/D1/DO)",
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}. 1-minute load average before → after each size in the table: the machine was shared with other test runs, so absolute rates are pessimistic and noisy.`,
    "",
    `Rows seeded straight into local D1; 10 types, 40 folders, names repeating every 9,970 files (rename-new conflicts), 2 % duplicates moved to /Duplicates. Chunks of ${CHUNK} files, one queue delivery each. Times are wall clock from POST to \`succeeded\` (polling every 250 ms). RSS is VmHWM over the dev server's workerd processes, which also host local D1 (its SQLite pages count too).`,
    "",
    markdownTable(rows),
    "",
    "Where the time goes per chunk (task_executions: work = claim → checkpoint batch; D1 write = the checkpoint batch, timed by the runner around it; between = queue hand-off, progress publishes, polling; workerd CPU = user + system CPU of the dev server's workerd processes, Worker and local D1, over the phase per chunk — the figure least moved by the machine's load):",
    "",
    markdownTable(profiles),
    "",
    "Per-chunk growth from the smallest to the largest run (chunks are the same size, so 1.00 is flat in N):",
    "",
    markdownTable(growthRows),
    "",
    targetLine,
    "",
  ].join("\n");
  writeResults("organize", { machine, runs: raw }, md);
  console.log(md);
} catch (error) {
  const logFile = path.join(tmpdir(), `organize-bench-${process.pid}.log`);
  writeFileSync(logFile, server.log());
  console.error(`wrangler dev log: ${logFile}\n${server.log().slice(-4000)}`);
  throw error;
} finally {
  server.stop();
}
