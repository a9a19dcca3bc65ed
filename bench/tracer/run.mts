// npm run bench:tracer [-- --only <substring>] [--repeats N] [--no-peers] [--no-large]
// Traces every image with our tracer and the peers, renders each SVG back with resvg and measures
// quality, size, time and memory. Writes bench/results/tracer.json and bench/results/tracer.md.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encode as encodePng } from "@jsquash/png";
import pngDecode from "@jsquash/png/decode.js";
import { getNodeTracer } from "../../src/wasm/node";
import { clipartCorpus } from "../lib/corpus.mjs";
import { flatArt, glyphs, gradient, photoLike } from "./images.mts";
import { compositeOn, quality, type Rgba, renderSvg, ssim, svgSize } from "./metrics.mts";
import { imagetracer, potrace, vtracer } from "./peers.mts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpusDir = clipartCorpus("bench:tracer");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt("--only");
const repeats = Number(opt("--repeats") ?? 3);
const noPeers = flag("--no-peers");
const noLarge = flag("--no-large");

type ImageClass = "flat" | "gradient" | "binary" | "large";
interface Case {
  name: string;
  cls: ImageClass;
  load: () => Promise<{ img: Rgba; bytes: Uint8Array }>;
}

const toBuf = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
async function encoded(img: Rgba) {
  const data = img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data);
  const bytes = new Uint8Array(await encodePng({ data, width: img.width, height: img.height } as ImageData));
  return { img, bytes };
}

const cases: Case[] = [];
const binaryCorpus = new Set([
  "geography__northern-territory-black.png",
  "office__cross_hand_drawn_linda_k_01.png",
]);
for (const f of readdirSync(corpusDir)
  .filter((f) => f.endsWith(".png"))
  .sort()) {
  const load = async () => {
    const bytes = new Uint8Array(readFileSync(path.join(corpusDir, f)));
    return { img: await pngDecode(toBuf(bytes)), bytes };
  };
  cases.push({ name: f.replace(/\.png$/, ""), cls: "flat", load });
  if (binaryCorpus.has(f)) cases.push({ name: `${f.replace(/\.png$/, "")} (binary)`, cls: "binary", load });
}
cases.push({ name: "gen-gradient", cls: "gradient", load: () => encoded(gradient()) });
cases.push({ name: "gen-photo-like", cls: "gradient", load: () => encoded(photoLike()) });
cases.push({ name: "gen-glyphs", cls: "binary", load: () => encoded(glyphs()) });
if (!noLarge) {
  cases.push({ name: "gen-flat-4mp", cls: "large", load: () => encoded(flatArt(2048)) });
  cases.push({ name: "gen-flat-16mp", cls: "large", load: () => encoded(flatArt(4000)) });
}

interface Row {
  image: string;
  cls: ImageClass;
  tracer: string;
  megapixels: number;
  deMean: number;
  deP95: number;
  ssim: number;
  uncoveredPct: number;
  bytes: number;
  gzip: number;
  paths: number;
  points: number;
  msTrace: number;
  msWithDecode: number;
  msPerMP: number;
  memMBperMP: number;
  error?: string;
  /** SSIM between our binary render and potrace's (binary class only) */
  ssimVsPotrace?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
};
const now = () => performance.now();

const tracer = await getNodeTracer();
const rows: Row[] = [];
const samples: Rgba[] = [];
const started = now();

for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const { img, bytes } = await c.load();
  const mp = (img.width * img.height) / 1e6;
  const reps = mp > 8 ? 1 : mp < 1 ? Math.max(repeats, 5) : repeats;
  // decode time (for the peers' "decode included" figure)
  const decTimes: number[] = [];
  for (let i = 0; i < Math.max(1, Math.min(reps, 3)); i++) {
    const t = now();
    await pngDecode(toBuf(bytes));
    decTimes.push(now() - t);
  }
  const decodeMs = median(decTimes);

  type Runner = {
    name: string;
    run: () => Promise<{ svg: string; mem: number; mpTraced: number }>;
    withDecode?: () => Promise<unknown>;
  };
  // --opts '{"smoothness":30}' merges extra options into ours (for experiments)
  const ourOpts = { ...(c.cls === "binary" ? { mode: "binary" } : {}), ...JSON.parse(opt("--opts") ?? "{}") };
  const runners: Runner[] = [
    {
      name: "edgecraft",
      run: async () => {
        const r = tracer.traceRgba(img, ourOpts);
        return {
          svg: r.svg,
          mem: r.stats.peakMemoryBytes,
          mpTraced: (r.stats.tracedWidth * r.stats.tracedHeight) / 1e6,
        };
      },
      withDecode: () => tracer.traceImage(bytes, ourOpts),
    },
  ];
  if (!noPeers) {
    runners.push({
      name: "vtracer",
      run: async () => {
        const r = await vtracer(img, c.cls === "binary");
        return { svg: r.svg, mem: r.memoryBytes, mpTraced: mp };
      },
    });
    if (c.cls === "binary") {
      runners.push({
        name: "potrace",
        run: async () => ({ svg: (await potrace(img, false)).svg, mem: Number.NaN, mpTraced: mp }),
      });
    } else if (c.cls !== "large" || mp < 8) {
      runners.push({
        name: "potrace-posterized",
        run: async () => ({ svg: (await potrace(img, true)).svg, mem: Number.NaN, mpTraced: mp }),
      });
      if (c.cls !== "large") {
        runners.push({
          name: "imagetracerjs",
          run: async () => ({ svg: imagetracer(img).svg, mem: Number.NaN, mpTraced: mp }),
        });
      }
    }
  }
  const renders = new Map<string, Rgba>();
  for (const r of runners) {
    const row: Row = {
      image: c.name,
      cls: c.cls,
      tracer: r.name,
      megapixels: mp,
      deMean: Number.NaN,
      deP95: Number.NaN,
      ssim: Number.NaN,
      uncoveredPct: Number.NaN,
      bytes: 0,
      gzip: 0,
      paths: 0,
      points: 0,
      msTrace: Number.NaN,
      msWithDecode: Number.NaN,
      msPerMP: Number.NaN,
      memMBperMP: Number.NaN,
    };
    try {
      const times: number[] = [];
      let out: { svg: string; mem: number; mpTraced: number } | undefined;
      for (let i = 0; i < reps; i++) {
        const t = now();
        out = await r.run();
        times.push(now() - t);
      }
      const svg = out!.svg;
      row.msTrace = median(times);
      if (r.withDecode) {
        const wt: number[] = [];
        for (let i = 0; i < reps; i++) {
          const t = now();
          await r.withDecode();
          wt.push(now() - t);
        }
        row.msWithDecode = median(wt);
      } else row.msWithDecode = row.msTrace + decodeMs;
      row.msPerMP = row.msTrace / mp;
      row.memMBperMP = out!.mem / 1048576 / out!.mpTraced;
      Object.assign(row, svgSize(svg));
      const q = quality(img, svg);
      row.deMean = q.deMean;
      row.deP95 = q.deP95;
      row.ssim = q.ssim;
      row.uncoveredPct = q.uncoveredPct;
      renders.set(r.name, q.render);
      if (c.name === "recreation__toys__rubik" && r.name !== "imagetracerjs")
        writeSample(c.name, r.name, img, svg);
    } catch (e) {
      row.error = String((e as Error)?.message ?? e).slice(0, 200);
    }
    rows.push(row);
    const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
    console.log(
      `${c.name.slice(0, 44).padEnd(44)} ${r.name.padEnd(18)} dE ${f(row.deMean).padStart(6)} p95 ${f(row.deP95).padStart(6)} ssim ${f(row.ssim, 4)} unc ${f(row.uncoveredPct, 3).padStart(7)}% gz ${String(row.gzip).padStart(7)} ms ${f(row.msTrace, 0).padStart(6)}${row.error ? ` ERROR ${row.error}` : ""}`,
    );
  }
  if (c.cls === "binary") {
    const ours = renders.get("edgecraft");
    const pot = renders.get("potrace");
    const row = rows.find((r) => r.image === c.name && r.tracer === "edgecraft");
    if (ours && pot && row) row.ssimVsPotrace = ssim(ours, pot);
  }
}

function writeSample(_name: string, tracerName: string, img: Rgba, svg: string) {
  mkdirSync(path.join(root, "bench/results"), { recursive: true });
  writeFileSync(path.join(root, `bench/results/tracer-sample-${tracerName}.svg`), svg);
  if (!samples.length) samples.push(compositeOn(img, 255, 255, 255));
  samples.push(renderSvg(svg, img.width, img.height, "#ffffff"));
}
// before/after picture: source | edgecraft | vtracer | potrace-posterized, side by side
if (samples.length > 1) {
  const w = samples[0]!.width;
  const h = samples[0]!.height;
  const out = new Uint8ClampedArray(w * samples.length * h * 4);
  samples.forEach((s, k) => {
    for (let y = 0; y < h; y++)
      out.set(s.data.subarray(y * w * 4, (y + 1) * w * 4), (y * w * samples.length + k * w) * 4);
  });
  const png = await encodePng({ data: out, width: w * samples.length, height: h } as ImageData);
  writeFileSync(path.join(root, "bench/results/tracer-before-after.png"), new Uint8Array(png));
}

// ---------------------------------------------------------------- summary
const by = (cls: ImageClass, t: string) => rows.filter((r) => r.cls === cls && r.tracer === t && !r.error);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const tracers = [...new Set(rows.map((r) => r.tracer))];
interface Summary {
  cls: ImageClass;
  tracer: string;
  images: number;
  deMean: number;
  deP95: number;
  ssim: number;
  uncoveredMean: number;
  uncoveredMax: number;
  gzip: number;
  bytes: number;
  msTrace: number;
  msWithDecode: number;
  msPerMP: number;
  memMBperMPmax: number;
  errors: number;
}
const summaries: Summary[] = [];
for (const cls of ["flat", "gradient", "binary", "large"] as ImageClass[]) {
  for (const t of tracers) {
    const rs = by(cls, t);
    const errs = rows.filter((r) => r.cls === cls && r.tracer === t && r.error).length;
    if (!rs.length && !errs) continue;
    summaries.push({
      cls,
      tracer: t,
      images: rs.length,
      deMean: mean(rs.map((r) => r.deMean)),
      deP95: mean(rs.map((r) => r.deP95)),
      ssim: mean(rs.map((r) => r.ssim)),
      uncoveredMean: mean(rs.map((r) => r.uncoveredPct)),
      uncoveredMax: Math.max(...rs.map((r) => r.uncoveredPct)),
      gzip: sum(rs.map((r) => r.gzip)),
      bytes: sum(rs.map((r) => r.bytes)),
      msTrace: sum(rs.map((r) => r.msTrace)),
      msWithDecode: sum(rs.map((r) => r.msWithDecode)),
      msPerMP: sum(rs.map((r) => r.msTrace)) / sum(rs.map((r) => r.megapixels)),
      memMBperMPmax: Math.max(
        ...rs.map((r) => r.memMBperMP).filter(Number.isFinite),
        Number.NEGATIVE_INFINITY,
      ),
      errors: errs,
    });
  }
}

// targets
const S = (cls: ImageClass, t: string) => summaries.find((s) => s.cls === cls && s.tracer === t);
interface Target {
  target: string;
  value: string;
  met: boolean | null;
}
const targets: Target[] = [];
const fx = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d));
{
  const o = S("flat", "edgecraft");
  const v = S("flat", "vtracer");
  if (o && v) {
    // same image set for both
    const imgs = new Set(by("flat", "vtracer").map((r) => r.image));
    const oo = by("flat", "edgecraft").filter((r) => imgs.has(r.image));
    const vv = by("flat", "vtracer").filter((r) => new Set(oo.map((r) => r.image)).has(r.image));
    const oDe = mean(oo.map((r) => r.deMean));
    const vDe = mean(vv.map((r) => r.deMean));
    const oS = mean(oo.map((r) => r.ssim));
    const vS = mean(vv.map((r) => r.ssim));
    const gz = sum(oo.map((r) => r.gzip)) / sum(vv.map((r) => r.gzip));
    const tm = sum(oo.map((r) => r.msTrace)) / sum(vv.map((r) => r.msTrace));
    const unc = Math.max(...oo.map((r) => r.uncoveredPct));
    targets.push({
      target: "flat: mean ΔE ≤ VTracer",
      value: `${fx(oDe)} vs ${fx(vDe)} (×${fx(oDe / vDe, 2)})`,
      met: oDe <= vDe,
    });
    targets.push({ target: "flat: SSIM ≥ VTracer", value: `${fx(oS, 4)} vs ${fx(vS, 4)}`, met: oS >= vS });
    targets.push({
      target: "flat: 0% uncovered",
      value: `max ${fx(unc, 4)}% (VTracer max ${fx(Math.max(...vv.map((r) => r.uncoveredPct)), 3)}%)`,
      met: unc === 0,
    });
    targets.push({ target: "flat: gzip ≤ 0.8× VTracer", value: `×${fx(gz, 2)}`, met: gz <= 0.8 });
    targets.push({ target: "flat: trace time ≤ 0.5× vtracer-wasm", value: `×${fx(tm, 2)}`, met: tm <= 0.5 });
  }
}
for (const r of rows.filter((r) => r.cls === "gradient" && r.tracer === "edgecraft" && !r.error)) {
  const peers = rows.filter((p) => p.image === r.image && p.tracer !== "edgecraft" && !p.error);
  if (!peers.length) continue;
  const bestDe = Math.min(...peers.map((p) => p.deMean));
  const bestS = Math.max(...peers.map((p) => p.ssim));
  targets.push({
    target: `gradient ${r.image}: ΔE ≤ best peer`,
    value: `${fx(r.deMean)} vs ${fx(bestDe)}`,
    met: r.deMean <= bestDe,
  });
  targets.push({
    target: `gradient ${r.image}: SSIM ≥ best peer`,
    value: `${fx(r.ssim, 4)} vs ${fx(bestS, 4)}`,
    met: r.ssim >= bestS,
  });
}
{
  const bin = rows.filter(
    (r) => r.cls === "binary" && r.tracer === "edgecraft" && r.ssimVsPotrace !== undefined,
  );
  if (bin.length) {
    const minS = Math.min(...bin.map((r) => r.ssimVsPotrace!));
    targets.push({
      target: "binary: SSIM vs potrace ≥ 0.995",
      value: `min ${fx(minS, 4)}`,
      met: minS >= 0.995,
    });
    const o = sum(by("binary", "edgecraft").map((r) => r.msTrace));
    const p = sum(by("binary", "potrace").map((r) => r.msTrace));
    targets.push({ target: "binary: time ≤ 1.5× esm-potrace", value: `×${fx(o / p, 2)}`, met: o / p <= 1.5 });
  }
}
{
  const color = rows.filter(
    (r) => r.tracer === "edgecraft" && r.cls !== "binary" && !r.error && r.megapixels >= 0.5,
  );
  if (color.length) {
    const m = Math.max(...color.map((r) => r.memMBperMP));
    targets.push({
      target: "memory ≤ 25 MB/MP (color, images ≥ 0.5 MP)",
      value: `max ${fx(m, 1)} MB/MP`,
      met: m <= 25,
    });
  }
}

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  repeats,
  seconds: Math.round((now() - started) / 1000),
};

mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(
  path.join(root, "bench/results/tracer.json"),
  `${JSON.stringify({ machine, targets, summaries, rows }, null, 2)}\n`,
);

const md: string[] = [];
md.push("# Tracer bench", "");
md.push(
  `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}; median of ${repeats} runs (at least 5 below 1 MP, 1 above 8 MP); total ${machine.seconds} s.`,
  "",
);
md.push("## Targets", "", "| target | measured | met |", "|---|---|---|");
for (const t of targets)
  md.push(`| ${t.target} | ${t.value} | ${t.met === null ? "-" : t.met ? "yes" : "**no**"} |`);
md.push("", "## Per class (means per image; gzip and time are totals)", "");
md.push(
  "| class | tracer | images | ΔE mean | ΔE p95 | SSIM | uncovered % (mean/max) | bytes | gzip | ms trace | ms with decode | ms/MP | MB/MP max |",
);
md.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const s of summaries) {
  md.push(
    `| ${s.cls} | ${s.tracer} | ${s.images}${s.errors ? ` (+${s.errors} errors)` : ""} | ${fx(s.deMean, 2)} | ${fx(s.deP95, 2)} | ${fx(s.ssim, 4)} | ${fx(s.uncoveredMean, 3)} / ${fx(s.uncoveredMax, 3)} | ${s.bytes} | ${s.gzip} | ${fx(s.msTrace, 0)} | ${fx(s.msWithDecode, 0)} | ${fx(s.msPerMP, 0)} | ${fx(s.memMBperMPmax, 1)} |`,
  );
}
md.push(
  "",
  "## Per image",
  "",
  "| image | tracer | ΔE mean | ΔE p95 | SSIM | uncovered % | gzip | paths | points | ms | MB/MP |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
);
for (const r of rows) {
  md.push(
    `| ${r.image} | ${r.tracer} | ${fx(r.deMean, 2)} | ${fx(r.deP95, 2)} | ${fx(r.ssim, 4)} | ${fx(r.uncoveredPct, 3)} | ${r.gzip} | ${r.paths} | ${r.points} | ${fx(r.msTrace, 0)} | ${fx(r.memMBperMP, 1)} |${r.error ? ` error: ${r.error}` : ""}`,
  );
}
writeFileSync(path.join(root, "bench/results/tracer.md"), `${md.join("\n")}\n`);

console.log("\nTargets:");
for (const t of targets) console.log(`  ${t.met ? "MET   " : "NOT MET"} ${t.target}: ${t.value}`);
console.log("\nPer class:");
for (const s of summaries)
  console.log(
    `  ${s.cls.padEnd(8)} ${s.tracer.padEnd(18)} n=${s.images} dE ${fx(s.deMean, 2)} p95 ${fx(s.deP95, 2)} ssim ${fx(s.ssim, 4)} unc ${fx(s.uncoveredMax, 3)} gzip ${s.gzip} ms ${fx(s.msTrace, 0)} ms/MP ${fx(s.msPerMP, 0)} MB/MP ${fx(s.memMBperMPmax, 1)}`,
  );
console.log(`\nwrote bench/results/tracer.json and tracer.md (${machine.seconds} s)`);
