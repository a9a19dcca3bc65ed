// Peer tracers, run in the same process for comparison (devDependencies, never shipped).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Rgba } from "./metrics.mts";

const require = createRequire(import.meta.url);

export interface PeerRun {
  svg: string;
  /** wasm memory after the run (fresh instance per image) or NaN when not measurable */
  memoryBytes: number;
}

// ---- vtracer-wasm (VTracer 0.6 core). Units: speckle as area, colorPrecision as bits dropped,
// angles in radians. These are VTracer's CLI defaults converted to those units.
let vtracerModule: WebAssembly.Module | undefined;
export const VTRACER_DEFAULTS = {
  binary: false,
  mode: "spline",
  hierarchical: "stacked",
  filterSpeckle: 4 * 4,
  colorPrecision: 8 - 6,
  layerDifference: 16,
  cornerThreshold: (60 * Math.PI) / 180,
  lengthThreshold: 4,
  maxIterations: 10,
  spliceThreshold: (45 * Math.PI) / 180,
  pathPrecision: 2,
};
export async function vtracer(img: Rgba, binary: boolean): Promise<PeerRun> {
  const vt = await import("vtracer-wasm");
  // Node compiles WebAssembly at run time; the Worker's types (shared here) declare Module abstract.
  vtracerModule ??= Reflect.construct(WebAssembly.Module, [
    readFileSync(require.resolve("vtracer-wasm/vtracer.wasm")),
  ]);
  // a fresh instance per image: its memory never shrinks, and a panic poisons the instance
  const exports = vt.initSync({ module: vtracerModule });
  const data =
    img.data instanceof Uint8Array
      ? img.data
      : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  const svg = vt.to_svg(data, img.width, img.height, { ...VTRACER_DEFAULTS, binary });
  return { svg, memoryBytes: exports.memory.buffer.byteLength };
}

// ---- imagetracerjs (pure JS), default options
type ImageTracerT = { imagedataToSVG(img: Rgba, opts?: unknown): string };
let imageTracer: ImageTracerT | undefined;
export function imagetracer(img: Rgba): PeerRun {
  imageTracer ??= require("imagetracerjs") as ImageTracerT;
  const svg = imageTracer.imagedataToSVG(
    { data: img.data, width: img.width, height: img.height },
    { viewbox: true },
  );
  return { svg, memoryBytes: Number.NaN };
}

// ---- esm-potrace-wasm (potrace 1.16): binary, and posterized colour
type Potrace = (img: unknown, opts: Record<string, unknown>) => Promise<string>;
let potraceFn: Potrace | undefined;
async function loadPotrace(): Promise<Potrace> {
  if (potraceFn) return potraceFn;
  // its Node detection path needs CommonJS globals; pretend to be a renderer so it takes the
  // browser path (the wasm is embedded) and pass ImageData-like objects.
  const saved: unknown = Reflect.get(process, "type");
  Reflect.set(process, "type", "renderer");
  const mod: { potrace: Potrace; init(): Promise<void> } = await import("esm-potrace-wasm");
  await mod.init();
  Reflect.set(process, "type", saved);
  potraceFn = mod.potrace;
  return potraceFn;
}
export async function potrace(img: Rgba, posterize: boolean): Promise<PeerRun> {
  const fn = await loadPotrace();
  // potrace ignores alpha: composite on white first
  const d = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < d.length; i += 4) {
    const a = img.data[i + 3]! / 255;
    d[i] = img.data[i]! * a + 255 * (1 - a);
    d[i + 1] = img.data[i + 1]! * a + 255 * (1 - a);
    d[i + 2] = img.data[i + 2]! * a + 255 * (1 - a);
    d[i + 3] = 255;
  }
  const svg = await fn(
    { data: d, width: img.width, height: img.height },
    posterize
      ? { extractcolors: true, posterizelevel: 5, posterizationalgorithm: 1 }
      : { extractcolors: false, turdsize: 2, alphamax: 1, opticurve: 1, opttolerance: 0.2 },
  );
  return { svg, memoryBytes: Number.NaN };
}
