// npm run bench:library — the media library's image work through `wrangler dev` (local R2/D1/KV):
// 1. transformation latency, cold (decode + resize + encode + R2 put) vs cached (R2 read), of a 2 MP
//    JPEG → 400 px WebP, beside GET /media/{id} (JSON, one D1 read) as the floor of the same run;
// 2. SVG thumbnail time for a 1 MB SVG: the thumbnail pipeline (resvg at 256 px → WebP) per request,
//    and upload → thumbnail ready as a user sees it;
// 3. ZIP download throughput of a selection, against downloading the same bytes file by file.
// Everything runs in a temp state dir; wrangler is killed at the end; the whole run is time-bounded.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  machineInfo,
  markdownTable,
  multipart,
  percentile,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";

const DEADLINE_MS = 10 * 60_000;
const COLD = 12;
const CACHED = 40;
const ZIP_FILES = 8;
const ZIP_FILE_MB = 6;
const watchdog = setTimeout(() => {
  console.error(`bench:library took longer than ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();

const require = createRequire(import.meta.url);

/** A 1600 × 1250 (2.0 MP) photo-like JPEG: smooth gradients, shapes and noise, encoded with mozjpeg q85. */
async function photoJpeg() {
  const { default: encode, init } = await import("@jsquash/jpeg/encode.js");
  const wasm = readFileSync(require.resolve("@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm"));
  await init(await WebAssembly.compile(wasm));
  const width = 1600;
  const height = 1250;
  const data = new Uint8ClampedArray(width * height * 4);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = (seed >>> 24) / 16;
      const ring = Math.hypot(x - 800, y - 600) % 200 < 100 ? 40 : 0;
      const i = (y * width + x) * 4;
      data[i] = (x / width) * 200 + ring + n;
      data[i + 1] = (y / height) * 180 + n;
      data[i + 2] = 120 + Math.sin(x / 60) * 60 + n;
      data[i + 3] = 255;
    }
  }
  return Buffer.from(await encode({ data, width, height }, { quality: 85 }));
}

/** About 1 MB of SVG: thousands of filled and stroked paths, like a detailed traced illustration. */
function bigSvg() {
  let seed = 11;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const parts = [
    '<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="1500" viewBox="0 0 2000 1500">',
  ];
  let size = parts[0].length;
  while (size < 1_000_000) {
    let d = `M${(rnd() * 2000).toFixed(1)} ${(rnd() * 1500).toFixed(1)}`;
    for (let k = 0; k < 12; k++)
      d += `c${(rnd() * 80 - 40).toFixed(1)} ${(rnd() * 80 - 40).toFixed(1)} ${(rnd() * 80 - 40).toFixed(1)} ${(rnd() * 80 - 40).toFixed(1)} ${(rnd() * 80 - 40).toFixed(1)} ${(rnd() * 80 - 40).toFixed(1)}`;
    const color = `#${Math.floor(rnd() * 0xffffff)
      .toString(16)
      .padStart(6, "0")}`;
    const path = `<path d="${d}z" fill="${color}" fill-opacity="0.6" stroke="#222" stroke-width="0.8"/>`;
    parts.push(path);
    size += path.length;
  }
  parts.push("</svg>");
  return Buffer.from(parts.join(""));
}

async function timed(url, headers) {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url} → ${res.status} ${Buffer.from(body).toString().slice(0, 300)}`);
  return { ms: performance.now() - t0, bytes: body.byteLength, res };
}

const stats = (xs) => ({ p50: Math.round(percentile(xs, 50)), p95: Math.round(percentile(xs, 95)) });

const server = await startDevServer({
  vars: {
    RATE_LIMITS: "login-account=1000/1000,login-ip=1000/1000,register-ip=100/100,api-user=1000000/1000000",
  },
});
try {
  const api = `${server.url}/api/v1`;
  const post = async (p, body, headers = {}) => {
    const res = await fetch(`${api}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${p} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const email = `bench-${Date.now()}@example.com`;
  const password = `bench-Password-${randomBytes(6).toString("hex")}`;
  await post("/auth/register", { email, password });
  const login = await post("/auth/login", { email, password });
  const auth = { authorization: `Bearer ${login.accessToken}` };
  const upload = async (bytes, name) => {
    const form = multipart(bytes, name);
    const res = await fetch(`${api}/media`, {
      method: "POST",
      headers: { ...auth, "content-type": form.type },
      body: form.body,
    });
    if (res.status !== 201) throw new Error(`upload ${name} → ${res.status} ${await res.text()}`);
    return (await res.json()).media;
  };

  // 1. Transformations.
  const jpeg = await photoJpeg();
  const photo = await upload(jpeg, "photo.jpg");
  const floor = [];
  for (let i = 0; i < CACHED; i++) floor.push((await timed(`${api}/media/${photo.id}`, auth)).ms);
  const cold = [];
  let output = 0;
  for (let i = 0; i < COLD; i++) {
    // A new quality is a new variant: the whole pipeline runs each time.
    const r = await timed(`${api}/media/${photo.id}/image?w=400&format=webp&q=${70 + i}`, auth);
    if (r.res.headers.get("x-transform-cache") !== "MISS") throw new Error("expected a cold transform");
    cold.push(r.ms);
    output = r.bytes;
  }
  const cached = [];
  for (let i = 0; i < CACHED; i++) {
    const r = await timed(`${api}/media/${photo.id}/image?w=400&format=webp&q=70`, auth);
    if (r.res.headers.get("x-transform-cache") !== "HIT") throw new Error("expected a cached transform");
    cached.push(r.ms);
  }

  // 2. SVG thumbnails.
  const svg = bigSvg();
  const t0 = performance.now();
  const drawing = await upload(svg, "detailed.svg");
  let ready = null;
  while (performance.now() - t0 < 120_000) {
    const res = await fetch(`${api}/media/${drawing.id}/thumbnail`, { headers: auth });
    await res.arrayBuffer();
    if (res.status === 200 && res.headers.get("content-type") === "image/webp") {
      ready = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (ready === null) throw new Error("the SVG thumbnail was never made");
  const svgRuns = [];
  for (let i = 0; i < 6; i++)
    svgRuns.push(
      (await timed(`${api}/media/${drawing.id}/image?w=256&h=256&format=webp&q=${60 + i}`, auth)).ms,
    );

  // 3. ZIP throughput.
  const ids = [];
  for (let i = 0; i < ZIP_FILES; i++)
    ids.push((await upload(randomBytes(ZIP_FILE_MB * 2 ** 20), `part-${i}.bin`)).id);
  const total = ZIP_FILES * ZIP_FILE_MB * 2 ** 20;
  const zipRuns = [];
  const plainRuns = [];
  for (let run = 0; run < 3; run++) {
    const z = await timed(`${api}/media/zip?ids=${ids.join(",")}`, auth);
    if (z.bytes < total) throw new Error(`zip too short: ${z.bytes}`);
    zipRuns.push(z.bytes / 2 ** 20 / (z.ms / 1000));
    const t = performance.now();
    for (const id of ids) await timed(`${api}/media/${id}/content`, auth);
    plainRuns.push(total / 2 ** 20 / ((performance.now() - t) / 1000));
  }
  const zipMBs = percentile(zipRuns, 50);
  const plainMBs = percentile(plainRuns, 50);

  const results = {
    machine: machineInfo(),
    transform: {
      source: { width: 1600, height: 1250, bytes: jpeg.length },
      outputBytes: output,
      coldMs: stats(cold),
      cachedMs: stats(cached),
      floorGetMediaMs: stats(floor),
      coldOverCached: +(percentile(cold, 50) / percentile(cached, 50)).toFixed(1),
    },
    svgThumbnail: {
      svgBytes: svg.length,
      pipelineMs: stats(svgRuns),
      uploadToReadyMs: Math.round(ready),
    },
    zip: {
      files: ZIP_FILES,
      totalMiB: ZIP_FILES * ZIP_FILE_MB,
      zipMiBps: +zipMBs.toFixed(1),
      fileByFileMiBps: +plainMBs.toFixed(1),
      ratio: +(zipMBs / plainMBs).toFixed(2),
    },
  };
  const m = results.machine;
  const md = `# bench:library — transformations, SVG thumbnails, ZIP

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.date}. Through \`wrangler dev\`
(local R2/D1/KV simulators, not the edge), shared with other work: compare the ratios, not the absolutes.

## Transformation: 2 MP JPEG (1600 × 1250, ${Math.round(jpeg.length / 1024)} KiB) → 400 px WebP

${markdownTable([
  {
    request: "cold (decode, resize, encode, store)",
    p50_ms: results.transform.coldMs.p50,
    p95_ms: results.transform.coldMs.p95,
    samples: COLD,
  },
  {
    request: "cached (R2 read)",
    p50_ms: results.transform.cachedMs.p50,
    p95_ms: results.transform.cachedMs.p95,
    samples: CACHED,
  },
  {
    request: "floor: GET /media/{id} (JSON)",
    p50_ms: results.transform.floorGetMediaMs.p50,
    p95_ms: results.transform.floorGetMediaMs.p95,
    samples: CACHED,
  },
])}

Cold / cached (p50): ×${results.transform.coldOverCached}. Output ${Math.round(output / 1024)} KiB.

## SVG thumbnail: ${(svg.length / 1e6).toFixed(2)} MB SVG → 256 px WebP (resvg)

${markdownTable([
  {
    measure: "thumbnail pipeline per request (p50 / p95)",
    ms: `${results.svgThumbnail.pipelineMs.p50} / ${results.svgThumbnail.pipelineMs.p95}`,
  },
  { measure: "upload → thumbnail ready (as the client sees it)", ms: results.svgThumbnail.uploadToReadyMs },
])}

## ZIP of a selection: ${ZIP_FILES} × ${ZIP_FILE_MB} MiB

${markdownTable([
  { download: "GET /media/zip (streamed, stored)", MiB_per_s: results.zip.zipMiBps },
  { download: "the same files one by one (floor)", MiB_per_s: results.zip.fileByFileMiBps },
])}

ZIP / file by file: ×${results.zip.ratio}.
`;
  writeResults("library", results, md);
  console.log(md);
} finally {
  server.stop();
}
