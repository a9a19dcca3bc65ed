// npm run bench:tracer [-- --only <substring>] [--corpus a,b] [--repeats N] [--no-peers] [--no-large]
//   [--lineart N] [--emoji N] [--opts '{json}']
// Traces every image of every corpus (corpora.mts) with our tracer and the peers, renders each SVG back
// with resvg and measures ΔE, SSIM, GMSD, uncovered pixels, size, time and memory; evaluates the targets
// per corpus (targets.mts). Writes bench/results/tracer.json and bench/results/tracer.md.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encode as encodePng } from "@jsquash/png";
import { getNodeTracer } from "../../src/wasm/node";
import { buildCases, CORPORA, type Corpus } from "./corpora.mts";
import { compositeOn, quality, type Rgba, renderSvg, svgSize } from "./metrics.mts";
import { imagetracer, potrace, vtracer } from "./peers.mts";
import { writeReport } from "./report.mts";
import { evaluate, fx, OURS, type Row, worstFive } from "./targets.mts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt("--only");
const corpusFilter = opt("--corpus")?.split(",") as Corpus[] | undefined;
const repeats = Number(opt("--repeats") ?? 3);
const noPeers = flag("--no-peers");
const extraOpts = JSON.parse(opt("--opts") ?? "{}") as Record<string, unknown>;

const cases = buildCases({
  large: !flag("--no-large"),
  lineart: Number(opt("--lineart") ?? 16),
  emoji: Number(opt("--emoji") ?? 16),
  corpora: corpusFilter ?? CORPORA,
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : Number.NaN;
};
const now = () => performance.now();
const tracer = await getNodeTracer();
const rows: Row[] = [];
const started = now();

type Runner = { name: string; run: () => Promise<{ svg: string; mem: number; mpTraced: number }> };

// before/after pictures (source | edgecraft | VTracer | potrace posterized) for these images
const SAMPLES: Record<string, string> = {
  recreation__toys__rubik: "tracer-before-after.png",
  "lucide-accessibility-384px-1.5w-white": "tracer-before-after-lineart.png",
};
const SAMPLE_TRACERS = [OURS, "vtracer", "potrace-posterized"];

for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  if (corpusFilter && !corpusFilter.includes(c.corpus)) continue;
  const img: Rgba = await c.load();
  const mp = (img.width * img.height) / 1e6;
  const reps = mp > 8 ? 1 : mp < 1 ? Math.max(repeats, 5) : repeats;
  const binary = c.run === "binary";
  const ourOpts = { ...(binary ? { mode: "binary" } : {}), ...extraOpts };
  const runners: Runner[] = [
    {
      name: OURS,
      run: async () => {
        const r = tracer.traceRgba(img, ourOpts);
        return {
          svg: r.svg,
          mem: r.stats.peakMemoryBytes,
          mpTraced: (r.stats.tracedWidth * r.stats.tracedHeight) / 1e6,
        };
      },
    },
  ];
  if (!noPeers) {
    if (binary) {
      runners.push({
        name: "potrace",
        run: async () => ({ svg: (await potrace(img, false)).svg, mem: Number.NaN, mpTraced: mp }),
      });
    } else {
      runners.push({
        name: "vtracer",
        run: async () => {
          const r = await vtracer(img, false);
          return { svg: r.svg, mem: r.memoryBytes, mpTraced: mp };
        },
      });
      if (mp < 8)
        runners.push({
          name: "potrace-posterized",
          run: async () => ({ svg: (await potrace(img, true)).svg, mem: Number.NaN, mpTraced: mp }),
        });
      if (c.corpus !== "large")
        runners.push({
          name: "imagetracerjs",
          run: async () => ({ svg: imagetracer(img).svg, mem: Number.NaN, mpTraced: mp }),
        });
    }
  }
  const panes = new Map<string, Rgba>();
  for (const r of runners) {
    const row: Row = {
      image: c.name,
      corpus: c.corpus,
      run: c.run,
      tracer: r.name,
      megapixels: mp,
      deMean: Number.NaN,
      deP95: Number.NaN,
      ssim: Number.NaN,
      gmsd: Number.NaN,
      opaque: 0,
      uncovered: 0,
      bytes: 0,
      gzip: 0,
      paths: 0,
      points: 0,
      msTrace: Number.NaN,
      msPerMP: Number.NaN,
      memMBperMP: Number.NaN,
    };
    try {
      const times: number[] = [];
      const svgs = new Set<string>();
      let out: { svg: string; mem: number; mpTraced: number } | undefined;
      for (let i = 0; i < reps; i++) {
        const t = now();
        out = await r.run();
        times.push(now() - t);
        svgs.add(out.svg);
      }
      const svg = out!.svg;
      row.msTrace = median(times);
      row.msPerMP = row.msTrace / mp;
      row.memMBperMP = out!.mem / 1048576 / out!.mpTraced;
      Object.assign(row, svgSize(svg));
      const q = quality(img, svg);
      Object.assign(row, {
        deMean: q.deMean,
        deP95: q.deP95,
        ssim: q.ssim,
        gmsd: q.gmsd,
        opaque: q.opaque,
        uncovered: q.uncovered,
      });
      if (SAMPLES[c.name] && SAMPLE_TRACERS.includes(r.name))
        panes.set(r.name, renderSvg(svg, img.width, img.height, "#ffffff"));
      if (r.name === OURS) {
        row.deterministic = svgs.size === 1;
        row.gradientFills = /<(linear|radial)Gradient/.test(svg);
      }
    } catch (e) {
      row.error = String((e as Error)?.message ?? e).slice(0, 200);
    }
    rows.push(row);
    const unc = row.opaque ? (row.uncovered / row.opaque) * 100 : 0;
    console.log(
      `${c.name.slice(0, 46).padEnd(46)} ${r.name.padEnd(18)} dE ${fx(row.deMean, 2).padStart(6)} ssim ${fx(row.ssim, 4)} gmsd ${fx(row.gmsd, 4)} unc ${fx(unc, 3).padStart(6)}% gz ${String(row.gzip).padStart(7)} ms ${fx(row.msTrace, 0).padStart(6)}${row.error ? ` ERROR ${row.error}` : ""}`,
    );
  }
  if (SAMPLES[c.name] && c.run === "color" && panes.size) {
    mkdirSync(path.join(root, "bench/results"), { recursive: true });
    await writeSample(SAMPLES[c.name]!, img, panes);
  }
}

/** source | tracers, side by side */
async function writeSample(file: string, img: Rgba, panes: Map<string, Rgba>) {
  const all = [
    compositeOn(img, 255, 255, 255),
    ...SAMPLE_TRACERS.flatMap((t) => (panes.has(t) ? [panes.get(t)!] : [])),
  ];
  const { width: w, height: h } = img;
  const out = new Uint8ClampedArray(w * all.length * h * 4);
  all.forEach((p, k) => {
    for (let y = 0; y < h; y++)
      out.set(p.data.subarray(y * w * 4, (y + 1) * w * 4), (y * w * all.length + k * w) * 4);
  });
  const png = await encodePng({ data: out, width: w * all.length, height: h } as Parameters<
    typeof encodePng
  >[0]);
  writeFileSync(path.join(root, "bench/results", file), new Uint8Array(png));
}

const corpora = CORPORA.filter((c) => rows.some((r) => r.corpus === c));
const targets = evaluate(rows, corpora);
const worst = worstFive(rows);
const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  repeats,
  seconds: Math.round((now() - started) / 1000),
  options: extraOpts,
};
mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(
  path.join(root, "bench/results/tracer.json"),
  `${JSON.stringify({ machine, targets, worst, rows }, null, 2)}\n`,
);
writeFileSync(
  path.join(root, "bench/results/tracer.md"),
  writeReport(machine, corpora, rows, targets, worst),
);

console.log("\nTargets:");
for (const t of targets)
  console.log(`  ${t.met ? "met    " : "NOT MET"} ${t.corpus.padEnd(9)} ${t.target}: ${t.value}`);
console.log("\nFive worst SSIM gaps to VTracer:");
for (const w of worst)
  console.log(
    `  ${w.image} (${w.corpus}): SSIM ${fx(w.ssim, 4)} vs ${fx(w.vt, 4)} (${fx(w.ssimGap, 4)}), GMSD gap ${fx(w.gmsdGap, 4)}`,
  );
console.log(`\nwrote bench/results/tracer.json and tracer.md (${machine.seconds} s)`);
