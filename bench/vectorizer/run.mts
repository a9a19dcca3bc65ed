// npm run bench:vectorizer [-- --skip tune,dev] [--tune-images N] [--format-images N] [--icons N]
// Issue 16's measurements: centerline on generated strokes and line art, auto-tune over the clip-art
// corpus, time per output format, and request latency in `wrangler dev` while a trace runs. Long and
// CPU-heavy: run it with `nice`. Writes bench/results/vectorizer.{json,md} with the machine noted.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import pngEncode, { init as initPngEncode } from "@jsquash/png/encode.js";
import { provideResvg } from "../../src/lib/resvg";
import { getNodeTracer } from "../../src/wasm/node";
import { clipartCorpus } from "../lib/corpus.mjs";
import { machineInfo, markdownTable, writeResults } from "../lib/harness.mjs";
import { flatArt } from "../tracer/images.mts";
import { generatedStrokes, lucideLineArt } from "./centerline.mts";
import { devLatency } from "./dev.mts";
import { formatTimes } from "./formats.mts";
import { autoTune } from "./tune.mts";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const skip = new Set((opt("--skip") ?? "").split(",").filter(Boolean));
const TUNE_BUDGET = 4; // VECTORIZE_TUNE_ATTEMPTS in wrangler.toml
const MIN_SSIM = 0.95;

const dir = clipartCorpus("bench:vectorizer");
const clipart = readdirSync(dir)
  .filter((f) => f.endsWith(".png"))
  .sort();
const pick = (n: number) => {
  const step = Math.max(1, Math.floor(clipart.length / n));
  return clipart.filter((_, i) => i % step === 0).slice(0, n);
};
// Node compiles WebAssembly at run time; the Worker's types (shared here) declare Module abstract.
const wasm = (spec: string): WebAssembly.Module =>
  Reflect.construct(WebAssembly.Module, [readFileSync(require.resolve(spec))]);
provideResvg(wasm("@resvg/resvg-wasm/index_bg.wasm"));
const tracer = await getNodeTracer();
const started = Date.now();
const fx = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "-");
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

console.error("centerline: generated strokes");
const strokes = generatedStrokes(tracer);
console.error("centerline: lucide line art");
const icons = lucideLineArt(tracer, Number(opt("--icons") ?? 24));

let tune: Awaited<ReturnType<typeof autoTune>> = [];
if (!skip.has("tune")) {
  console.error("auto-tune over the clip-art corpus");
  tune = await autoTune(
    tracer,
    dir,
    pick(Number(opt("--tune-images") ?? clipart.length)),
    TUNE_BUDGET,
    MIN_SSIM,
  );
}
let formats: Awaited<ReturnType<typeof formatTimes>> = [];
if (!skip.has("formats")) {
  console.error("time per output format");
  formats = await formatTimes(tracer, dir, pick(Number(opt("--format-images") ?? clipart.length)), 3);
}
let dev: Awaited<ReturnType<typeof devLatency>> | null = null;
if (!skip.has("dev")) {
  console.error("wrangler dev: latency while tracing");
  await initPngEncode(wasm("@jsquash/png/codec/pkg/squoosh_png_bg.wasm"));
  const big = flatArt(2048);
  const big4mp = new Uint8Array(
    await pngEncode({
      data: new Uint8ClampedArray(big.data),
      width: big.width,
      height: big.height,
      colorSpace: "srgb",
    } as Parameters<typeof pngEncode>[0]),
  );
  const file = (f: string) => new Uint8Array(readFileSync(`${dir}/${f}`));
  dev = await devLatency([
    {
      name: "computer__bluepane_01",
      bytes: file("computer__bluepane_01.png"),
      options: { preset: "illustration" },
    },
    {
      name: "food__fruitcollection_leif_lod_07",
      bytes: file("food__fruitcollection_leif_lod_07.png"),
      options: { preset: "illustration" },
    },
    { name: "gen-flat-4mp", bytes: big4mp, options: { preset: "logo" } },
    { name: "gen-flat-4mp", bytes: big4mp, options: { mode: "centerline" } },
  ]);
}

const machine = machineInfo();
const totalS = (Date.now() - started) / 1000;
const md: string[] = [
  "# Vectorizer (issue 16): centerline, auto-tune, formats, dev latency",
  "",
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}; total ${totalS.toFixed(0)} s (shared machine, run with nice).`,
  "",
  "## Centerline on generated strokes (known centerlines)",
  "",
  `${strokes.rows.length} cases: straight, curved, crossing and T-junction strokes 1–8 px wide on 96×96, anti-aliased. Mean distance: of our path's points (every 0.25 px) to the nearest true centerline; paths per stroke: open sub-paths written per stroke drawn (1 = one path per stroke, not two outlines).`,
  "",
  markdownTable(
    strokes.byKind.map((k) => ({
      kind: k.kind,
      cases: k.cases,
      "mean distance (px)": fx(k.meanDistance),
      "worst case mean (px)": fx(k.worstMeanDistance),
      "paths per stroke": fx(k.pathsPerStroke, 2),
      "cases with exactly 1 path per stroke": `${k.exactPathCount}/${k.cases}`,
      "width error (px)": fx(k.widthError, 2),
    })),
  ),
  "",
  `All cases: mean distance ${fx(mean(strokes.rows.map((r) => r.meanDistance)))} px (worst case ${fx(Math.max(...strokes.rows.map((r) => r.meanDistance)))} px, target ≤ 0.5), ${sum(strokes.rows.map((r) => r.paths))} paths for ${sum(strokes.rows.map((r) => r.strokes))} strokes, median trace ${fx(strokes.rows.map((r) => r.ms).sort((a, b) => a - b)[strokes.rows.length >> 1]!, 1)} ms.`,
  "",
  "## Centerline on line art (lucide-static icons, 192 px, strokes 2–4 px, black on white)",
  "",
  "Rendered back with resvg at the source size and compared with the source on white (SSIM, GMSD as in the tracer bench), beside binary mode's filled outlines of the same image. Paths per sub-path: centerline's open paths per sub-path the icon draws (a junction joins or splits sub-paths, so this is near 1, not exactly 1).",
  "",
  markdownTable([
    {
      icons: icons.length,
      "centerline SSIM": fx(mean(icons.map((r) => r.centerlineSsim)), 4),
      "binary SSIM": fx(mean(icons.map((r) => r.binarySsim)), 4),
      "centerline GMSD": fx(mean(icons.map((r) => r.centerlineGmsd)), 4),
      "binary GMSD": fx(mean(icons.map((r) => r.binaryGmsd)), 4),
      "centerline bytes": sum(icons.map((r) => r.centerlineBytes)),
      "binary bytes": sum(icons.map((r) => r.binaryBytes)),
      "paths per icon sub-path": fx(
        sum(icons.map((r) => r.centerlinePaths)) / sum(icons.map((r) => r.iconSubpaths)),
        2,
      ),
    },
  ]),
  "",
];
if (tune.length) {
  const ssimMet = tune.filter((r) => r.ssimMet).length;
  const bytesMet = tune.filter((r) => r.bytesMet).length;
  md.push(
    `## Auto-tune over the clip-art corpus (${tune.length} images, budget ${TUNE_BUDGET} attempts)`,
    "",
    `\`target: {minSSIM: ${MIN_SSIM}}\` and \`target: {maxBytes: half the default trace's size}\`, default options otherwise, through the job's own search (src/vectorize/trace.ts).`,
    "",
    markdownTable([
      {
        target: `minSSIM ${MIN_SSIM}`,
        met: `${ssimMet}/${tune.length}`,
        "mean attempts": fx(mean(tune.map((r) => r.ssimAttempts)), 2),
        "bytes vs default": `×${fx(sum(tune.map((r) => r.ssimBytes)) / sum(tune.map((r) => r.plainBytes)), 2)}`,
        "mean SSIM (default → tuned)": `${fx(mean(tune.map((r) => r.plainSsim)), 4)} → ${fx(mean(tune.map((r) => r.ssimSsim)), 4)}`,
        "median ms": fx(tune.map((r) => r.ssimMs).sort((a, b) => a - b)[tune.length >> 1]!, 0),
      },
      {
        target: "maxBytes ½ default",
        met: `${bytesMet}/${tune.length}`,
        "mean attempts": fx(mean(tune.map((r) => r.bytesAttempts)), 2),
        "bytes vs default": `×${fx(sum(tune.map((r) => r.bytesBytes)) / sum(tune.map((r) => r.plainBytes)), 2)}`,
        "mean SSIM (default → tuned)": `${fx(mean(tune.map((r) => r.plainSsim)), 4)} → ${fx(mean(tune.map((r) => r.bytesSsim)), 4)}`,
        "median ms": fx(tune.map((r) => r.bytesMs).sort((a, b) => a - b)[tune.length >> 1]!, 0),
      },
    ]),
    "",
    "<details><summary>Per image</summary>",
    "",
    markdownTable(
      tune.map((r) => ({
        image: r.image,
        "default bytes / SSIM": `${r.plainBytes} / ${fx(r.plainSsim, 4)}`,
        "minSSIM: attempts, met, bytes, SSIM": `${r.ssimAttempts}, ${r.ssimMet ? "yes" : "no"}, ${r.ssimBytes}, ${fx(r.ssimSsim, 4)}`,
        "maxBytes: limit, attempts, met, bytes, SSIM": `${r.maxBytes}, ${r.bytesAttempts}, ${r.bytesMet ? "yes" : "no"}, ${r.bytesBytes}, ${fx(r.bytesSsim, 4)}`,
      })),
    ),
    "",
    "</details>",
    "",
  );
}
if (formats.length) {
  const fmts = ["svg", "pdf", "eps", "dxf", "png"];
  const mp = sum(formats.map((r) => Number(r.mp)));
  md.push(
    `## Time per output format (${formats.length} clip-art images, logo preset, ${fx(mp, 1)} MP in all; median of 3 per image)`,
    "",
    "Written from the stored vector document (no tracing): loading it (gunzip + JSON) then each writer. PNG at the source size with resvg (WebAssembly, as in workerd).",
    "",
    markdownTable([
      {
        step: "load document",
        "total ms": fx(sum(formats.map((r) => Number(r.loadMs))), 0),
        "ms per MP": fx(sum(formats.map((r) => Number(r.loadMs))) / mp, 1),
        "bytes (all images)": sum(formats.map((r) => Number(r.storedBytes))),
      },
      ...fmts.map((f) => ({
        step: f.toUpperCase(),
        "total ms": fx(sum(formats.map((r) => Number(r[`${f}Ms`]))), 0),
        "ms per MP": fx(sum(formats.map((r) => Number(r[`${f}Ms`]))) / mp, 1),
        "bytes (all images)": sum(formats.map((r) => Number(r[`${f}Bytes`]))),
      })),
    ]),
    "",
    `Stored document: ${sum(formats.map((r) => Number(r.storedBytes)))} bytes gzipped for ${sum(formats.map((r) => Number(r.svgBytes)))} bytes of SVG (×${fx(sum(formats.map((r) => Number(r.storedBytes))) / sum(formats.map((r) => Number(r.svgBytes))), 2)}).`,
    "",
  );
}
if (dev) {
  md.push(
    "## wrangler dev: other requests while a trace runs",
    "",
    `GET /api/v1/health every 25 ms while a job runs (the local consumer shares the isolate); idle: p50 ${fx(dev.idleP50, 1)} ms, max ${fx(dev.idleMax, 1)} ms.`,
    "",
    markdownTable(
      dev.rows.map((r) => ({
        image: r.image,
        MP: fx(r.mp, 2),
        options: r.options,
        "job ms": fx(r.jobMs, 0),
        "progress frames": r.progressFrames,
        "health p50 ms": fx(r.healthDuringP50, 1),
        "health p95 ms": fx(r.healthDuringP95, 1),
        "health max ms": fx(r.healthDuringMax, 1),
      })),
    ),
    "",
  );
}
writeResults("vectorizer", { machine, totalS, strokes, icons, tune, formats, dev }, `${md.join("\n")}\n`);
console.error(`bench:vectorizer: ${totalS.toFixed(0)} s → bench/results/vectorizer.md`);
