// The image codecs in workerd, for the tracer, thumbnails and image transformations: the .wasm files
// are bundled by wrangler as compiled modules and handed to each codec's init() once per isolate.
// PNG encode shares the PNG decoder's module. Encoders are initialised only when first used, so a
// request that never encodes AVIF never compiles its 3.5 MB module.
import avifEncWasm from "@jsquash/avif/codec/enc/avif_enc.wasm?module";
import avifEncode, { init as initAvifEnc } from "@jsquash/avif/encode.js";
import jpegWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm?module";
import jpegEncWasm from "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm?module";
import jpegDecode, { init as initJpeg } from "@jsquash/jpeg/decode.js";
import jpegEncode, { init as initJpegEnc } from "@jsquash/jpeg/encode.js";
import pngWasm from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm?module";
import pngDecode, { init as initPng } from "@jsquash/png/decode.js";
import pngEncode from "@jsquash/png/encode.js";
import webpWasm from "@jsquash/webp/codec/dec/webp_dec.wasm?module";
// The encoder picks its SIMD build when WebAssembly SIMD is there, which V8 (workerd) always has.
import webpEncWasm from "@jsquash/webp/codec/enc/webp_enc_simd.wasm?module";
import webpDecode, { init as initWebp } from "@jsquash/webp/decode.js";
import webpEncode, { init as initWebpEnc } from "@jsquash/webp/encode.js";
import type { Decoders } from "./core";
import type { RgbaImage } from "./image";

/** RGBA pixels (the shape of ImageData, which workerd has at runtime but its types lack). */
export interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;
const inits = new Map<string, Promise<unknown>>();
function once(key: string, init: () => Promise<unknown>): Promise<unknown> {
  let p = inits.get(key);
  if (!p) {
    p = init().catch((error) => {
      inits.delete(key);
      throw error;
    });
    inits.set(key, p);
  }
  return p;
}

export async function decodeImage(mime: string, bytes: ArrayBuffer): Promise<Rgba> {
  switch (mime) {
    case "image/png":
      await once("png", () => initPng(pngWasm));
      return (await pngDecode(bytes)) as Rgba;
    case "image/jpeg":
      await once("jpeg", () => (initJpeg as InitWithModule)(jpegWasm));
      return (await jpegDecode(bytes)) as Rgba;
    case "image/webp":
      await once("webp", () => (initWebp as InitWithModule)(webpWasm));
      return (await webpDecode(bytes)) as Rgba;
    default:
      throw new Error(`No decoder for ${mime}`);
  }
}

export async function encodePng(image: Rgba): Promise<ArrayBuffer> {
  await once("png", () => initPng(pngWasm));
  return pngEncode(image as Parameters<typeof pngEncode>[0]);
}

export const OUTPUT_FORMATS = ["webp", "avif", "jpeg", "png"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const FORMAT_MIME: Record<OutputFormat, string> = {
  webp: "image/webp",
  avif: "image/avif",
  jpeg: "image/jpeg",
  png: "image/png",
};

/** Encodes RGBA as `format` at `quality` (1–100; PNG is lossless and ignores it). */
export async function encodeImage(image: Rgba, format: OutputFormat, quality: number): Promise<Uint8Array> {
  const data = image as Parameters<typeof webpEncode>[0];
  switch (format) {
    case "png":
      return new Uint8Array(await encodePng(image));
    case "webp":
      await once("webp-enc", () => (initWebpEnc as InitWithModule)(webpEncWasm));
      return new Uint8Array(await webpEncode(data, { quality }));
    case "jpeg":
      await once("jpeg-enc", () => (initJpegEnc as InitWithModule)(jpegEncWasm));
      return new Uint8Array(await jpegEncode(data as Parameters<typeof jpegEncode>[0], { quality }));
    case "avif":
      await once("avif-enc", () => (initAvifEnc as InitWithModule)(avifEncWasm));
      // AVIF's quantizer scale is harsher than JPEG's: q=50 there looks like JPEG's 75; speed 8 keeps a
      // 400 px encode to tens of milliseconds.
      return new Uint8Array(
        await avifEncode(data as Parameters<typeof avifEncode>[0], { quality, speed: 8 }),
      );
  }
}

/** The tracer's decoders (see createTracer), on top of the same codecs. */
export const decoders: Decoders = {
  png: async (bytes) => (await decodeImage("image/png", bytes.slice().buffer)) as RgbaImage,
  jpeg: async (bytes) => (await decodeImage("image/jpeg", bytes.slice().buffer)) as RgbaImage,
  webp: async (bytes) => (await decodeImage("image/webp", bytes.slice().buffer)) as RgbaImage,
};
