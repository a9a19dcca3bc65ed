// npm run bench:media — media library through `wrangler dev` (local R2/D1/KV):
// 1. upload throughput (MB/s) of a 30 MB file through POST /api/v1/media (streamed multipart);
// 2. GET /api/v1/media latency p50/p95 over a 10,000-row library, with and without the KV cache.
// Everything runs in a temp state dir; wrangler is killed at the end; the whole run is time-bounded.
import { createHash, randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  freePort,
  machineInfo,
  markdownTable,
  multipart,
  percentile,
  run,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const UPLOAD_MB = 30;
const UPLOAD_RUNS = 3;
const ROWS = 10_000;
const SAMPLES = 200;
const DEADLINE_MS = 8 * 60_000;

const watchdog = setTimeout(() => {
  console.error(`bench:media took longer than ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();

async function json(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** 10,000 media rows (with tags, folders, FTS via the triggers) for one user, as one SQL file. */
function seedSql(userId) {
  const kinds = [
    ["image/png", "image", "png"],
    ["application/pdf", "document", "pdf"],
    ["text/plain", "text", "txt"],
    ["video/mp4", "video", "mp4"],
  ];
  const words = [
    "sunset",
    "invoice",
    "logo",
    "holiday",
    "draft",
    "report",
    "beach",
    "team",
    "scan",
    "poster",
  ];
  const lines = [];
  let bytes = 0;
  const sha = createHash("sha256").update("bench-shared-blob").digest("hex");
  lines.push(
    `INSERT INTO blobs (sha256, size, mime, ref_count, thumb_status, created_at) VALUES ('${sha}', 1000, 'application/octet-stream', ${ROWS}, 'none', '2026-01-01T00:00:00.000Z');`,
  );
  const base = Date.parse("2025-01-01T00:00:00Z");
  for (let start = 0; start < ROWS; start += 250) {
    const values = [];
    const tagValues = [];
    for (let i = start; i < Math.min(ROWS, start + 250); i++) {
      const [mime, kind, ext] = kinds[i % kinds.length];
      const name = `${words[i % words.length]} ${words[(i * 7) % words.length]} ${i}.${ext}`;
      const folder = `/projects/p${i % 20}${i % 3 === 0 ? "/assets" : ""}`;
      const size = 1000 + ((i * 7919) % 5_000_000);
      bytes += size;
      const tags = [words[(i * 3) % words.length], `batch${i % 50}`].sort();
      const at = new Date(base + i * 60_000).toISOString();
      const id = `med_bench${String(i).padStart(15, "0")}`;
      values.push(
        `('${id}','${userId}','${name}','${name.toLowerCase()}','${folder}','${mime}','${kind}',${size},'${sha}',NULL,NULL,'${JSON.stringify(tags)}','${at}','${at}',NULL)`,
      );
      for (const tag of tags) tagValues.push(`('${id}','${userId}','${tag}')`);
    }
    lines.push(
      `INSERT INTO media (id, owner_id, name, name_key, folder, mime, kind, size, sha256, width, height, tags, created_at, updated_at, trashed_at) VALUES ${values.join(",")};`,
    );
    lines.push(`INSERT INTO media_tags (media_id, owner_id, tag) VALUES ${tagValues.join(",")};`);
  }
  lines.push(
    `UPDATE users SET quota_bytes = ${bytes * 2}, used_bytes = used_bytes + ${bytes}, used_files = used_files + ${ROWS}, cache_version = cache_version + 1 WHERE id = '${userId}';`,
  );
  return lines.join("\n");
}

async function timeList(url, headers, samples) {
  const ms = [];
  let hits = 0;
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    ms.push(performance.now() - started);
    if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
    if (res.headers.get("x-cache") === "HIT") hits++;
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), hitRatio: hits / samples };
}

const port = await freePort();
const server = await startDevServer({
  port,
  vars: {
    RATE_LIMITS: "login-account=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=1000000/1000000",
  },
});
const seedFile = path.join(tmpdir(), `edgecraft-media-seed-${process.pid}.sql`);
try {
  const base = `${server.url}/api/v1`;
  const email = "media-bench@example.com";
  const password = "A-bench-passphrase-2026";
  const post = (p, body) =>
    json(`${base}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await post("/auth/register", { email, password });
  const login = await post("/auth/login", { email, password });
  const auth = { authorization: `Bearer ${login.accessToken}` };

  // 1. Upload throughput.
  const uploads = [];
  for (let i = 0; i < UPLOAD_RUNS; i++) {
    const bytes = randomBytes(UPLOAD_MB * 1024 * 1024);
    const form = multipart(bytes, `bench-${i}.bin`);
    const started = performance.now();
    const res = await fetch(`${base}/media`, {
      method: "POST",
      headers: { ...auth, "content-type": form.type },
      body: form.body,
    });
    const body = await res.json();
    const seconds = (performance.now() - started) / 1000;
    if (res.status !== 201) throw new Error(`upload → ${res.status} ${JSON.stringify(body)}`);
    if (body.media.sha256 !== createHash("sha256").update(bytes).digest("hex"))
      throw new Error("sha256 mismatch");
    uploads.push({ seconds, mbPerSecond: bytes.length / 1024 / 1024 / seconds });
  }
  const downloadStarted = performance.now();
  const latest = await json(`${base}/media?limit=1`, { headers: auth });
  const dl = await fetch(`${base}/media/${latest.items[0].id}/content`, { headers: auth });
  const dlBytes = (await dl.arrayBuffer()).byteLength;
  const downloadMbps = dlBytes / 1024 / 1024 / ((performance.now() - downloadStarted) / 1000);

  // 2. Seed the library, then list with and without the cache.
  writeFileSync(seedFile, seedSql(login.user.id));
  const seedStarted = performance.now();
  await run(
    "npx",
    ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", server.persist, "--file", seedFile],
    {
      quiet: true,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    },
  );
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const total = await json(`${base}/media/stats`, { headers: { ...auth, "cache-control": "no-cache" } });
  if (total.files < ROWS) throw new Error(`seeding left ${total.files} files`);

  const queries = [
    ["newest first (default)", "limit=50"],
    ["by name, folder + sub-folders", "sort=name&folder=/projects/p3&limit=50"],
    ["full-text search", "q=sunset%20beach&limit=50"],
    ["tag + kind filter, by size", "tag=batch7&type=image&sort=-size&limit=50"],
  ];
  const rows = [];
  for (const [label, query] of queries) {
    const url = `${base}/media?${query}`;
    const uncached = await timeList(url, { ...auth, "cache-control": "no-cache" }, SAMPLES);
    await fetch(url, { headers: auth }).then((r) => r.arrayBuffer()); // warm
    const cachedRun = await timeList(url, auth, SAMPLES);
    rows.push({
      query: label,
      "no cache p50 ms": uncached.p50.toFixed(1),
      "no cache p95 ms": uncached.p95.toFixed(1),
      "KV cache p50 ms": cachedRun.p50.toFixed(1),
      "KV cache p95 ms": cachedRun.p95.toFixed(1),
      "cache hit ratio": cachedRun.hitRatio.toFixed(2),
    });
  }

  const results = {
    machine: machineInfo(),
    upload: {
      fileMB: UPLOAD_MB,
      runs: uploads,
      mbPerSecondBest: Math.max(...uploads.map((u) => u.mbPerSecond)),
      mbPerSecondMedian: percentile(
        uploads.map((u) => u.mbPerSecond),
        50,
      ),
      downloadMbPerSecond: downloadMbps,
    },
    list: { rows: ROWS, samplesPerCell: SAMPLES, seedSeconds, results: rows },
  };
  const uploadRows = uploads.map((u, i) => ({
    run: i + 1,
    seconds: u.seconds.toFixed(2),
    "MB/s": u.mbPerSecond.toFixed(1),
  }));
  const md = [
    "# Media library benchmark",
    "",
    `Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, ${results.machine.os}, ${results.machine.node}, ${results.machine.date}`,
    "",
    "Through `wrangler dev` (local workerd, R2/D1/KV simulated on disk). Client and server share the machine.",
    "",
    `## Upload: ${UPLOAD_MB} MB file, POST /api/v1/media (multipart, streamed, SHA-256 while streaming)`,
    "",
    markdownTable(uploadRows),
    "",
    `Median ${results.upload.mbPerSecondMedian.toFixed(1)} MB/s; download of the same file ${downloadMbps.toFixed(1)} MB/s.`,
    "",
    `## GET /api/v1/media over ${ROWS.toLocaleString("en")} rows (${SAMPLES} sequential requests per cell)`,
    "",
    '"No cache" sends `Cache-Control: no-cache` (skips the KV read; D1 answers). "KV cache" reads the version from D1, then the page from KV.',
    "",
    markdownTable(rows),
    "",
  ].join("\n");
  writeResults("media", results, md);
  console.log(markdownTable(uploadRows));
  console.log();
  console.log(markdownTable(rows));
  console.log("\nwrote bench/results/media.json and media.md");
} finally {
  rmSync(seedFile, { force: true });
  server.stop();
}
