// The image codecs in workerd, for the tracer and for thumbnails: the .wasm files are bundled by
// wrangler as compiled modules and handed to each codec's init() once per isolate. PNG encode
// shares the PNG decoder's module, so thumbnails add no second PNG codec to the bundle.
import jpegWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm?module";
import jpegDecode, { init as initJpeg } from "@jsquash/jpeg/decode.js";
import pngWasm from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm?module";
import pngDecode, { init as initPng } from "@jsquash/png/decode.js";
import pngEncode from "@jsquash/png/encode.js";
import webpWasm from "@jsquash/webp/codec/dec/webp_dec.wasm?module";
import webpDecode, { init as initWebp } from "@jsquash/webp/decode.js";
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
      await once("jpeg", () => (initJpeg as unknown as InitWithModule)(jpegWasm));
      return (await jpegDecode(bytes)) as Rgba;
    case "image/webp":
      await once("webp", () => (initWebp as unknown as InitWithModule)(webpWasm));
      return (await webpDecode(bytes)) as Rgba;
    default:
      throw new Error(`No decoder for ${mime}`);
  }
}

export async function encodePng(image: Rgba): Promise<ArrayBuffer> {
  await once("png", () => initPng(pngWasm));
  return pngEncode(image as unknown as Parameters<typeof pngEncode>[0]);
}

/** The tracer's decoders (see createTracer), on top of the same codecs. */
export const decoders: Decoders = {
  png: async (bytes) => (await decodeImage("image/png", bytes.slice().buffer)) as RgbaImage,
  jpeg: async (bytes) => (await decodeImage("image/jpeg", bytes.slice().buffer)) as RgbaImage,
  webp: async (bytes) => (await decodeImage("image/webp", bytes.slice().buffer)) as RgbaImage,
};
