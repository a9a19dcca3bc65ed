// npm run trace -- <input.png|jpg|webp> -o <out.svg> [--mode color|binary|posterize|centerline] [--colors N]
//   [--detail 0-100] [--smoothness 0-100] [--corner-threshold deg] [--speckle px] [--output curves|polygons]
//   [--layering stacked|cutout] [--precision 0-3] [--threshold 1-255] [--drop-white]
//   [--max-pixels N] [--on-oversize downscale|error] [--preset logo|illustration|poster|lineart]
//   [--palette '#RRGGBB,#RRGGBB,…'] [--max-stroke-width px] [--no-fill-wide] [--json-stats]
import { readFileSync, writeFileSync } from "node:fs";
import { getNodeTracer, isTraceError } from "../src/wasm/node";

const usage = `usage: npm run trace -- <input> -o <out.svg> [--mode color|binary|posterize|centerline] [--colors N]
  [--preset logo|illustration|poster|lineart] [--detail 0-100] [--smoothness 0-100]
  [--corner-threshold degrees] [--speckle px] [--output curves|polygons] [--layering stacked|cutout]
  [--precision 0-3] [--threshold 1-255] [--drop-white] [--max-pixels N] [--on-oversize downscale|error]
  [--palette '#RRGGBB,#RRGGBB,…'] [--max-stroke-width px] [--no-fill-wide] [--json-stats]`;

const numeric = new Set([
  "colors",
  "detail",
  "smoothness",
  "cornerThreshold",
  "speckle",
  "precision",
  "threshold",
  "maxPixels",
  "maxStrokeWidth",
]);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function main(argv: string[]): Promise<number> {
  let input: string | undefined;
  let out: string | undefined;
  let jsonStats = false;
  const options: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") {
      console.log(usage);
      return 0;
    }
    if (a === "-o" || a === "--out") out = argv[++i];
    else if (a === "--json-stats") jsonStats = true;
    else if (a === "--drop-white") options.dropWhiteBackground = true;
    else if (a === "--no-fill-wide") options.fillWide = false;
    else if (a.startsWith("--")) {
      const key = camel(a.slice(2));
      const v = argv[++i];
      if (v === undefined) {
        console.error(`missing value for ${a}\n${usage}`);
        return 2;
      }
      options[key] = numeric.has(key) ? Number(v) : key === "palette" ? v.split(",") : v;
    } else if (!input) input = a;
    else {
      console.error(`unexpected argument ${a}\n${usage}`);
      return 2;
    }
  }
  if (!input || !out) {
    console.error(usage);
    return 2;
  }
  const tracer = await getNodeTracer();
  try {
    const r = await tracer.traceImage(new Uint8Array(readFileSync(input)), options, {
      onProgress: jsonStats
        ? undefined
        : (p) => process.stderr.write(`\r${p.stage} ${Math.round(p.fraction * 100)}%   `),
    });
    writeFileSync(out, r.svg);
    if (jsonStats) console.log(JSON.stringify(r.stats, null, 2));
    else
      process.stderr.write(
        `\r${out}: ${r.stats.bytes} bytes, ${r.stats.colors} colors, ${r.stats.paths} paths, ${r.stats.points} points, ${r.stats.ms.total.toFixed(0)} ms\n`,
      );
    return 0;
  } catch (e) {
    if (isTraceError(e)) {
      console.error(`error ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
