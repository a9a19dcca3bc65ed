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

interface Args {
  input?: string;
  out?: string;
  jsonStats: boolean;
  options: Record<string, unknown>;
}

/** The switches that take no value. */
const FLAGS: Record<string, (args: Args) => void> = {
  "--json-stats": (args) => {
    args.jsonStats = true;
  },
  "--drop-white": (args) => {
    args.options.dropWhiteBackground = true;
  },
  "--no-fill-wide": (args) => {
    args.options.fillWide = false;
  },
};

const optionValue = (key: string, v: string): unknown =>
  numeric.has(key) ? Number(v) : key === "palette" ? v.split(",") : v;

/** `-o`/`--out`, or an option of the tracer (`--max-pixels` → `maxPixels`), with its value. */
function setOption(args: Args, name: string, v: string) {
  if (name === "-o" || name === "--out") args.out = v;
  else {
    const key = camel(name.slice(2));
    args.options[key] = optionValue(key, v);
  }
}

/** The command line read: its arguments, "help", or what is wrong with it. */
function parseArgs(argv: string[]): Args | "help" | { error: string } {
  const args: Args = { jsonStats: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") return "help";
    if (Object.hasOwn(FLAGS, a)) FLAGS[a]!(args);
    else if (a === "-o" || a.startsWith("--")) {
      const v = argv[++i];
      if (v === undefined) return { error: `missing value for ${a}` };
      setOption(args, a, v);
    } else if (args.input) return { error: `unexpected argument ${a}` };
    else args.input = a;
  }
  return args;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args === "help") {
    console.log(usage);
    return 0;
  }
  if ("error" in args) {
    console.error(`${args.error}\n${usage}`);
    return 2;
  }
  const { input, out } = args;
  if (!input || !out) {
    console.error(usage);
    return 2;
  }
  return trace(input, out, args);
}

/** Traces `input` into `out`; the exit code (1: the tracer refused the image). */
async function trace(input: string, out: string, { jsonStats, options }: Args): Promise<number> {
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
