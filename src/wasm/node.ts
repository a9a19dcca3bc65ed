// Node entry of the tracer (CLI, bench): reads the .wasm files from disk.
// Uses process.getBuiltinModule so this file type-checks without Node typings.
import jpegDecode, { init as initJpeg } from "@jsquash/jpeg/decode.js";
import pngDecode, { init as initPng } from "@jsquash/png/decode.js";
import webpDecode, { init as initWebp } from "@jsquash/webp/decode.js";
import { createTracer, type TraceCallOptions, type TraceResult, type Tracer } from "./shared";

export * from "./shared";

interface NodeBits {
  readFileSync(path: string | URL): Uint8Array;
  resolve(spec: string): string;
}

function nodeBits(): NodeBits {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.getBuiltinModule) throw new Error("src/wasm/node.ts needs Node >= 22.3");
  const fs = proc.getBuiltinModule("node:fs") as { readFileSync(p: string | URL): Uint8Array };
  const mod = proc.getBuiltinModule("node:module") as {
    createRequire(u: string): { resolve(s: string): string };
  };
  const req = mod.createRequire(import.meta.url);
  return { readFileSync: (p) => fs.readFileSync(p), resolve: (s) => req.resolve(s) };
}

// (the workers typings declare WebAssembly.Module abstract: workerd forbids compiling at run time; Node does not)
const compile = (bytes: Uint8Array): WebAssembly.Module => Reflect.construct(WebAssembly.Module, [bytes]);

type InitWithModule = (module: WebAssembly.Module) => Promise<unknown>;

let tracer: Tracer | undefined;
let ready: Promise<void> | undefined;

/** Compiles the tracer and the decoders once per process. */
export async function getNodeTracer(): Promise<Tracer> {
  if (tracer) return tracer;
  const n = nodeBits();
  ready ??= (async () => {
    await initPng(compile(n.readFileSync(n.resolve("@jsquash/png/codec/pkg/squoosh_png_bg.wasm"))));
    await (initJpeg as InitWithModule)(
      compile(n.readFileSync(n.resolve("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm"))),
    );
    await (initWebp as InitWithModule)(
      compile(n.readFileSync(n.resolve("@jsquash/webp/codec/dec/webp_dec.wasm"))),
    );
  })();
  await ready;
  tracer = createTracer({
    tracerModule: compile(n.readFileSync(new URL("./build/tracer.wasm", import.meta.url))),
    decoders: {
      png: (bytes) => pngDecode(bytes.slice().buffer),
      jpeg: (bytes) => jpegDecode(bytes.slice().buffer),
      webp: (bytes) => webpDecode(bytes.slice().buffer),
    },
  });
  return tracer;
}

export async function traceImage(
  bytes: Uint8Array,
  options?: unknown,
  call?: TraceCallOptions,
): Promise<TraceResult> {
  return (await getNodeTracer()).traceImage(bytes, options, call);
}
