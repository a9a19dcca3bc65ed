/**
 * SVG → pixels with resvg's WebAssembly build, the one renderer of the Worker (library thumbnails,
 * image transformations, vector results as PNG). Platform-neutral: the module is handed over once
 * per isolate with `provideResvg` (workerd: `resvg.workerd.ts`, which bundles it with a `?module`
 * import; Node: read the file) and initialised on first use.
 *
 * Safe by construction for untrusted SVG: resvg runs no script, has no network, and this build has
 * no file system, so external references (`<image href="https://…">`, `url(file:…)`) draw nothing.
 * No fonts are loaded (there are none in workerd), so `<text>` is not drawn.
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import type { Rgba } from "../wasm/codecs";

let wasm: WebAssembly.Module | undefined;
let ready: Promise<void> | undefined;

export function provideResvg(module: WebAssembly.Module): void {
  wasm ??= module;
}

async function resvgReady(): Promise<void> {
  if (!wasm) throw new Error("resvg: no WebAssembly module was provided (provideResvg)");
  ready ??= initWasm(wasm).catch((error) => {
    ready = undefined;
    throw error;
  });
  await ready;
}

/** How the drawing is scaled: its own size, a width or height (aspect kept), or a zoom factor. */
export type SvgFit =
  | { mode: "original" }
  | { mode: "width"; value: number }
  | { mode: "height"; value: number }
  | { mode: "zoom"; value: number };

export interface SvgRenderOptions {
  fit?: SvgFit;
  /** A CSS colour under the drawing; transparent when absent. */
  background?: string;
}

export interface Size {
  width: number;
  height: number;
}

function parse(svg: string | Uint8Array, options: SvgRenderOptions) {
  return new Resvg(svg, {
    fitTo: options.fit ?? { mode: "original" },
    font: { loadSystemFonts: false },
    ...(options.background ? { background: options.background } : {}),
  });
}

/** The drawing's own size in px (from width/height or the viewBox). Throws on SVG resvg can't parse. */
export async function svgSize(svg: string | Uint8Array): Promise<Size> {
  await resvgReady();
  const r = parse(svg, {});
  try {
    return { width: r.width, height: r.height };
  } finally {
    r.free();
  }
}

/** The fit that makes a drawing of `size` as large as possible inside `box` (never larger than `box`). */
export function fitInside(size: Size, box: Size): SvgFit {
  return size.width / box.width >= size.height / box.height
    ? { mode: "width", value: Math.max(1, Math.round(box.width)) }
    : { mode: "height", value: Math.max(1, Math.round(box.height)) };
}

async function rendered<T>(
  svg: string | Uint8Array,
  options: SvgRenderOptions,
  read: (image: { pixels: Uint8Array; width: number; height: number; asPng(): Uint8Array }) => T,
): Promise<T> {
  await resvgReady();
  const r = parse(svg, options);
  try {
    const image = r.render();
    try {
      return read(image);
    } finally {
      image.free();
    }
  } finally {
    r.free();
  }
}

/** RGBA pixels of the rendered drawing, straight (not premultiplied) alpha like every decoder's. */
export function renderSvgRgba(svg: string | Uint8Array, options: SvgRenderOptions = {}): Promise<Rgba> {
  return rendered(svg, options, (image) => ({
    data: unpremultiply(new Uint8ClampedArray(image.pixels)),
    width: image.width,
    height: image.height,
  }));
}

/** resvg draws with premultiplied alpha (tiny-skia); encoders expect straight alpha. */
function unpremultiply(data: Uint8ClampedArray): Uint8ClampedArray {
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]!;
    if (a === 0 || a === 255) continue;
    data[i] = (data[i]! * 255) / a + 0.5;
    data[i + 1] = (data[i + 1]! * 255) / a + 0.5;
    data[i + 2] = (data[i + 2]! * 255) / a + 0.5;
  }
  return data;
}

/** The rendered drawing as a PNG file. */
export function renderSvgPng(svg: string | Uint8Array, options: SvgRenderOptions = {}): Promise<Uint8Array> {
  return rendered(svg, options, (image) => image.asPng());
}
