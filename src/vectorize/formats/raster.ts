/**
 * SVG → pixels with resvg (WebAssembly build: it runs in workerd and in Node alike). The module is
 * handed over once per isolate (`provideResvg`: workerd bundles it as a compiled module, see
 * resvg.workerd.ts; Node reads the file) and initialised on first use.
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";

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

export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The SVG drawn at exactly width × height px (its viewBox stretched to fit), on `background` or transparency. */
async function rendered<T>(
  svg: string,
  width: number,
  height: number,
  background: string | undefined,
  read: (image: { pixels: Uint8Array; asPng(): Uint8Array; width: number; height: number }) => T,
): Promise<T> {
  await resvgReady();
  const sized = svg.replace(
    /^<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"/,
    `<svg$1 width="${width}" height="${height}" preserveAspectRatio="none"`,
  );
  const r = new Resvg(sized, {
    fitTo: { mode: "original" },
    font: { loadSystemFonts: false },
    ...(background ? { background } : {}),
  });
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

/** RGBA with straight alpha, like a decoded PNG (resvg's own pixels are premultiplied). */
export function renderPixels(
  svg: string,
  width: number,
  height: number,
  background?: string,
): Promise<Pixels> {
  return rendered(svg, width, height, background, (image) => {
    const data = image.pixels.slice();
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3]!;
      if (a === 0 || a === 255) continue;
      data[i] = Math.min(255, Math.round((data[i]! * 255) / a));
      data[i + 1] = Math.min(255, Math.round((data[i + 1]! * 255) / a));
      data[i + 2] = Math.min(255, Math.round((data[i + 2]! * 255) / a));
    }
    return { data, width: image.width, height: image.height };
  });
}

export function renderPng(
  svg: string,
  width: number,
  height: number,
  background?: string,
): Promise<Uint8Array> {
  return rendered(svg, width, height, background, (image) => image.asPng());
}
