// workerd entry of the tracer: the .wasm files are bundled by wrangler (CompiledWasm modules).

import jpegWasm from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm?module";
import jpegDecode, { init as initJpeg } from "@jsquash/jpeg/decode.js";
import pngWasm from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm?module";
import pngDecode, { init as initPng } from "@jsquash/png/decode.js";
import webpWasm from "@jsquash/webp/codec/dec/webp_dec.wasm?module";
import webpDecode, { init as initWebp } from "@jsquash/webp/decode.js";
import tracerWasm from "./build/tracer.wasm?module";
import { createTracer, type TraceCallOptions, type TraceResult, type Tracer } from "./shared";

export * from "./shared";

type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;

let inits: Partial<Record<"png" | "jpeg" | "webp", Promise<unknown>>> = {};
const once = (key: "png" | "jpeg" | "webp", f: () => Promise<unknown>) => {
  inits[key] ??= f().catch((e) => {
    inits = { ...inits, [key]: undefined };
    throw e;
  });
  return inits[key];
};

let tracer: Tracer | undefined;

/** The tracer for this isolate (modules instantiated lazily, once). */
export function getTracer(): Tracer {
  tracer ??= createTracer({
    tracerModule: tracerWasm,
    decoders: {
      png: async (bytes) => {
        await once("png", () => initPng(pngWasm));
        return pngDecode(bytes.slice().buffer);
      },
      jpeg: async (bytes) => {
        await once("jpeg", () => (initJpeg as unknown as InitWithModule)(jpegWasm));
        return jpegDecode(bytes.slice().buffer);
      },
      webp: async (bytes) => {
        await once("webp", () => (initWebp as unknown as InitWithModule)(webpWasm));
        return webpDecode(bytes.slice().buffer);
      },
    },
  });
  return tracer;
}

/** Decode PNG/JPEG/WebP bytes and trace them to SVG. Throws TraceError. */
export function traceImage(
  bytes: Uint8Array,
  options?: unknown,
  call?: TraceCallOptions,
): Promise<TraceResult> {
  return getTracer().traceImage(bytes, options, call);
}
