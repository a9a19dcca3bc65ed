// workerd entry of the tracer: the .wasm files are bundled by wrangler (CompiledWasm modules).

import tracerWasm from "./build/tracer.wasm?module";
import { decoders } from "./codecs";
import { createTracer, type TraceCallOptions, type TraceResult, type Tracer } from "./shared";

export * from "./shared";

let tracer: Tracer | undefined;

/** The tracer for this isolate (modules instantiated lazily, once). */
export function getTracer(): Tracer {
  tracer ??= createTracer({ tracerModule: tracerWasm, decoders });
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
