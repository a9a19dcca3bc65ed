// The labelled set of bench:similar: each clip-art corpus image and copies of it made as real
// libraries get them, through the Worker's own codecs (Squoosh Lanczos3 resizer, MozJPEG, libwebp).
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import jpegDecode, { init as initJpegDecode } from "@jsquash/jpeg/decode.js";
import jpegEncode, { init as initJpegEncode } from "@jsquash/jpeg/encode.js";
import pngDecode, { init as initPngDecode } from "@jsquash/png/decode.js";
import resize, { initResize } from "@jsquash/resize";
import webpDecode, { init as initWebpDecode } from "@jsquash/webp/decode.js";
import webpEncode, { init as initWebpEncode } from "@jsquash/webp/encode.js";
import {
  brighten,
  crop,
  flatten,
  type Rgba,
  recolour,
  scaled,
  stamp,
} from "../../test/helpers/image-variants";

const require = createRequire(import.meta.url);
const bytesOf = (spec: string) => readFileSync(require.resolve(spec));
// Node compiles WebAssembly at run time; the Worker's types (shared here) declare Module abstract.
const wasm = (spec: string): WebAssembly.Module => Reflect.construct(WebAssembly.Module, [bytesOf(spec)]);
await initPngDecode(wasm("@jsquash/png/codec/pkg/squoosh_png_bg.wasm"));
await initResize(wasm("@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm"));
await initJpegEncode({ wasmBinary: bytesOf("@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm") });
await initJpegDecode({ wasmBinary: bytesOf("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm") });
await initWebpEncode({ wasmBinary: bytesOf("@jsquash/webp/codec/enc/webp_enc.wasm") });
await initWebpDecode({ wasmBinary: bytesOf("@jsquash/webp/codec/dec/webp_dec.wasm") });

const toBuffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const rgba = (d: { data: Uint8ClampedArray; width: number; height: number }): Rgba => ({
  data: new Uint8ClampedArray(d.data),
  width: d.width,
  height: d.height,
});
/** The codecs' typings name the DOM ImageData, which the Worker's types lack; they read only these fields. */
type CodecImage = Parameters<typeof resize>[0];
const imageData = (image: Rgba): CodecImage =>
  ({ data: image.data, width: image.width, height: image.height, colorSpace: "srgb" }) as CodecImage;

/** As the Worker resizes (src/wasm/resize.ts): Lanczos3, premultiplied, linear light. */
async function half(image: Rgba): Promise<Rgba> {
  const size = scaled(image, 0.5);
  const out = await resize(imageData(image), {
    ...size,
    fitMethod: "stretch",
    method: "lanczos3",
    premultiply: true,
    linearRGB: true,
  });
  return rgba(out);
}
/** Through a real JPEG file: encoded at `quality`, decoded again (what an upload of it decodes to). */
async function viaJpeg(image: Rgba, quality: number): Promise<Rgba> {
  const file = await jpegEncode(imageData(flatten(image)), { quality });
  return rgba(await jpegDecode(file));
}
/** Through a lossy WebP file (what messengers and web exports make of a picture), alpha kept. */
async function viaWebp(image: Rgba, quality: number): Promise<Rgba> {
  return rgba(await webpDecode(await webpEncode(imageData(image), { quality })));
}
/** Mirrored left to right. */
function mirror(image: Rgba): Rgba {
  const { width, height } = image;
  const out = new Uint8ClampedArray(image.data.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      out.set(image.data.subarray(from, from + 4), (y * width + width - 1 - x) * 4);
    }
  return { data: out, width, height };
}

type Make = (image: Rgba) => Promise<Rgba> | Rgba;

/** Copies a person calls the same picture: the labelled positives. */
export const LOOK_ALIKES: [string, Make][] = [
  ["half size", half],
  ["JPEG q70", (image) => viaJpeg(image, 70)],
  ["half-size JPEG q70", async (image) => viaJpeg(await half(image), 70)],
  ["20 % brighter", (image) => brighten(image, 1.2)],
  ["20 % darker", (image) => brighten(image, 0.8)],
  ["2 % stamp", (image) => stamp(image, 0.02)],
  ["10 % crop", (image) => crop(image, 0.9)],
  ["WebP q75", (image) => viaWebp(image, 75)],
];

/**
 * Copies that are other pictures, kept out of precision and recall and counted on their own: a
 * recolour (same luminance, hue turned 180°) and a mirror image (left and right swapped: arrows,
 * text, maps and faces turned around are other pictures, and look-alike tools — czkawka's hashes,
 * dupeGuru — do not match flips either).
 */
export const OTHER_PICTURES: [string, Make][] = [
  ["recoloured (hue 180°)", (image) => recolour(image, 180)],
  ["mirrored", mirror],
];

export interface Picture {
  /** Index of its corpus image. */
  source: number;
  /** "original" or the copy's kind. */
  variant: string;
  image: Rgba;
}

/** The corpus' PNGs (sorted names) and each one's copies, decoded. */
export async function* corpusCopies(dir: string): AsyncGenerator<{ name: string; pictures: Picture[] }> {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".png"))
    .sort();
  for (const [source, name] of names.entries()) {
    const image = rgba(await pngDecode(toBuffer(readFileSync(path.join(dir, name)))));
    const pictures: Picture[] = [{ source, variant: "original", image }];
    for (const [variant, make] of [...LOOK_ALIKES, ...OTHER_PICTURES])
      pictures.push({ source, variant, image: await make(image) });
    yield { name, pictures };
  }
}
