import { TraceError } from "./errors";
import { fitToCap, type ImageFormat, type RgbaImage, readHeader } from "./image";
import { type ResolvedTraceOptions, resolveOptions, type TraceMode } from "./options";
import { joinResults, type Rect, tilesOf } from "./tiles";
import {
  checkHeaderSize,
  checkInput,
  decodeWith,
  writeOptions,
  writePalette,
  writePixels,
} from "./trace-input";

export type TraceStage = "decoding" | "quantizing" | "tracing" | "writing";

export interface TraceProgress {
  stage: TraceStage;
  /** 0..1 within the stage */
  fraction: number;
}

export type ProgressCallback = (progress: TraceProgress) => void;
/** Progress that may wait (publish, yield to other requests): the trace pauses until it resolves. */
export type AsyncProgressCallback = (progress: TraceProgress) => void | Promise<void>;

export type Decoder = (bytes: Uint8Array) => Promise<RgbaImage>;
export type Decoders = Partial<Record<ImageFormat, Decoder>>;

export interface TracerDeps {
  /** The compiled tracer (src/wasm/build/tracer.wasm). */
  tracerModule: WebAssembly.Module;
  decoders: Decoders;
}

export interface TraceStats {
  format: ImageFormat | "rgba";
  width: number;
  height: number;
  tracedWidth: number;
  tracedHeight: number;
  downscaled: boolean;
  mode: TraceMode;
  /** colors (layers) actually emitted */
  colors: number;
  /** <path> elements */
  paths: number;
  /** closed sub-paths */
  subpaths: number;
  /** curve and line segments (the "points" of the path data) */
  points: number;
  bytes: number;
  ms: { decode: number; quantize: number; trace: number; write: number; total: number };
  /**
   * WebAssembly memory of the tracer at the end: its peak (wasm memory never shrinks), or the kept
   * memory of an earlier trace it ran in (at most 8 MiB, see memoryPool) when that was larger.
   */
  peakMemoryBytes: number;
}

export interface TraceResult {
  svg: string;
  stats: TraceStats;
}

export interface TraceCallOptions {
  onProgress?: ProgressCallback;
  /** stop after a stage and return that stage's picture (tests, debugging); not part of the API */
  stopAfter?: TraceStopAfter;
}

export interface TracerExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  optionCount(): number;
  trace(ptr: number, w: number, h: number, opts: number): number;
  resultPtr(): number;
  resultLen(): number;
  stat(i: number): number;
}

const TRACER_FUNCTIONS = ["alloc", "free", "optionCount", "trace", "resultPtr", "resultLen", "stat"] as const;

/** The instance's exports, checked to be the tracer's (a stale build fails here, with its name). */
function tracerExports(exports: WebAssembly.Exports): TracerExports {
  const fns: Partial<Record<(typeof TRACER_FUNCTIONS)[number], WebAssembly.ExportValue>> = {};
  for (const name of TRACER_FUNCTIONS) {
    const fn = exports[name];
    if (typeof fn !== "function") throw new TraceError("trace_failed", `The tracer module lacks ${name}().`);
    fns[name] = fn;
  }
  const memory = exports.memory;
  if (!(memory instanceof WebAssembly.Memory))
    throw new TraceError("trace_failed", "The tracer module exports no memory.");
  return { memory, ...fns } as TracerExports;
}

/** Where a trace may stop; the SVG then shows that stage's result (per-stage golden tests, debugging). */
export type TraceStopAfter = "quantize" | "segment" | "gradients" | "contour";
const STOP_CODE: Record<TraceStopAfter, number> = { quantize: 1, segment: 2, contour: 3, gradients: 4 };

/**
 * The options struct the tracer reads (src/wasm/assembly/options.ts): one f64 per field, in this order.
 * Source width and height are the viewBox (the traced size may be smaller).
 */
const OPTION_LAYOUT = (
  o: ResolvedTraceOptions,
  sourceW: number,
  sourceH: number,
  stop: number,
  palettePtr: number,
) => [
  MODE_CODE[o.mode],
  o.colors,
  o.detail,
  o.smoothness,
  o.cornerThreshold,
  o.speckle,
  o.output === "polygons" ? 1 : 0,
  o.layering === "cutout" ? 1 : 0,
  o.precision,
  o.dropWhiteBackground ? 1 : 0,
  o.threshold,
  sourceW,
  sourceH,
  stop,
  o.palette.length,
  palettePtr,
  o.fillWide ? 1 : 0,
  o.maxStrokeWidth,
];

const MODE_CODE: Record<TraceMode, number> = { color: 0, binary: 1, posterize: 2, centerline: 3 };
const STAGES: TraceStage[] = ["decoding", "quantizing", "tracing", "writing"];

export interface Tracer {
  /** Decode PNG/JPEG/WebP bytes and trace them. Errors are TraceError with a stable `code`. */
  traceImage(bytes: Uint8Array, options?: unknown, call?: TraceCallOptions): Promise<TraceResult>;
  /** Trace already-decoded RGBA pixels (straight alpha). */
  traceRgba(image: RgbaImage, options?: unknown, call?: TraceCallOptions): TraceResult;
  /**
   * traceRgba whose progress may wait: where WebAssembly can suspend (JSPI: workerd), the trace pauses
   * at each of the tracer's progress calls until `onProgress` resolves, so progress is published and
   * other requests of the isolate get their turn mid-trace; elsewhere it runs through (Node).
   */
  traceRgbaAsync(
    image: RgbaImage,
    options: unknown,
    call: { onProgress?: AsyncProgressCallback; onTick?: () => Promise<void> },
  ): Promise<TraceResult>;
  /**
   * Checks the header against the options' pixel caps and decodes (what traceImage does before
   * tracing): decode once, then trace the pixels with several option sets (auto-tune).
   */
  decode(
    bytes: Uint8Array,
    options?: unknown,
    call?: TraceCallOptions,
  ): Promise<{ image: RgbaImage; format: ImageFormat; decodeMs: number }>;
  /** Size and format from the header (throws TraceError). */
  readHeader(bytes: Uint8Array): { format: ImageFormat; width: number; height: number };
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Ticks between pauses: a tick comes every 16 rows or 16,384 pixels of a long loop (src/wasm/assembly/
 * env.ts), about 0.6 ms of work on the bench machine, so a pause comes every ~20 ms of tracing. A pause
 * (a suspension, a macrotask turn, a resume) costs about 0.5 ms of CPU: pausing every 4th tick, as
 * first built, spent ~160 pauses on a 1 MP trace and a quarter of a job's CPU on them
 * (bench/results/vectorize-ab-*.md); a request arriving mid-trace now waits ~20 ms more at most.
 */
const TICKS_PER_PAUSE = 32;

/** JavaScript Promise Integration (wasm calling an async import suspends), where the engine has it. */
interface Jspi {
  // A wrapped import that returns no promise just returns: the module is not suspended.
  Suspending: new (
    fn: (...args: number[]) => Promise<void> | undefined,
  ) => unknown;
  promising: (fn: (...args: number[]) => number) => (...args: number[]) => Promise<number>;
}
const jspi = (): Jspi | undefined => {
  const w = WebAssembly as Partial<Jspi>;
  return typeof w.Suspending === "function" && typeof w.promising === "function" ? (w as Jspi) : undefined;
};

/** WebAssembly pages (64 KiB) the tracer's memory may grow to: 1 GiB (scripts/build-wasm.mjs) */
const MAX_PAGES = 16384;
/** Memories up to this size are kept for the next trace (see memoryPool). */
const RETAIN_MEMORY_BYTES = 8 * 1024 * 1024;

/**
 * The tracer's memory (the module imports it: scripts/build-wasm.mjs). Each trace runs in a new
 * instance, so no state survives a trace; but fresh memory costs a page fault at the first touch of
 * every page, a good share of a small image's trace. So the last trace's memory is kept for the next
 * when it is small (≤ RETAIN_MEMORY_BYTES), zeroed as new memory is; a bigger one goes back to the
 * engine, so an isolate never holds more than that between traces. One is kept: traces that overlap
 * (JSPI suspends them mid-trace) each get their own.
 */
function memoryPool() {
  let idle: WebAssembly.Memory | undefined;
  return {
    take(): WebAssembly.Memory {
      const m = idle;
      idle = undefined;
      if (!m) return new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
      new Uint8Array(m.buffer).fill(0);
      return m;
    },
    give(m: WebAssembly.Memory) {
      if (m.buffer.byteLength <= RETAIN_MEMORY_BYTES) idle = m;
    },
  };
}

export function createTracer(deps: TracerDeps): Tracer {
  const { tracerModule, decoders } = deps;
  const memories = memoryPool();

  function runTrace(
    image: RgbaImage,
    opts: ResolvedTraceOptions,
    format: TraceStats["format"],
    decodeMs: number,
    call: TraceCallOptions | undefined,
    crop?: Rect,
  ): TraceResult;
  function runTrace(
    image: RgbaImage,
    opts: ResolvedTraceOptions,
    format: TraceStats["format"],
    decodeMs: number,
    call: { onProgress?: AsyncProgressCallback; onTick?: () => Promise<void> },
    crop: Rect | undefined,
    suspend: Jspi,
  ): Promise<TraceResult>;
  function runTrace(
    image: RgbaImage,
    opts: ResolvedTraceOptions,
    format: TraceStats["format"],
    decodeMs: number,
    call:
      | (TraceCallOptions & { onProgress?: AsyncProgressCallback; onTick?: () => Promise<void> })
      | undefined,
    crop?: Rect,
    suspend?: Jspi,
  ): TraceResult | Promise<TraceResult> {
    const onProgress = call?.onProgress;
    const stopAfter = call?.stopAfter;
    const t0 = now();
    // a tile: only its rectangle is traced, as an image of its own
    const { width: sw, height: sh } = checkInput(image, opts, crop);
    const { width: tw, height: th } = fitToCap(sw, sh, opts.maxPixels);

    const marks: number[] = [t0, t0, t0, t0];
    let lastStage = 0;
    // an error of the caller's progress callback (e.g. the job was cancelled) passes through as it is
    let progressError: { error: unknown } | undefined;
    let ticks = 0;
    const progress = (stage: number, fraction: number) => {
      if (stage !== lastStage) {
        marks[stage] = now();
        lastStage = stage;
      }
      return onProgress?.({ stage: STAGES[stage] ?? "tracing", fraction });
    };
    const memory = memories.take();
    const instance = new WebAssembly.Instance(tracerModule, {
      env: {
        memory,
        progress: suspend
          ? (new suspend.Suspending(async (stage: number, fraction: number) => {
              try {
                await progress(stage, fraction);
              } catch (error) {
                progressError = { error };
                throw error;
              }
            }) as (stage: number, fraction: number) => void)
          : progress,
        // the long loops' ticks: every TICKS_PER_PAUSE-th one pauses the trace for `onTick` (the clock
        // stands still during compute in workerd, so a count, not elapsed time, spaces them)
        tick:
          suspend && call?.onTick
            ? (new suspend.Suspending(() => {
                ticks++;
                return ticks % TICKS_PER_PAUSE === 0 ? call.onTick!() : undefined;
              }) as () => void)
            : () => {},
        abort() {
          throw new TraceError("trace_failed", "tracer aborted");
        },
      },
    });
    const ex = tracerExports(instance.exports);
    const asTraceError = (e: unknown) =>
      e instanceof TraceError
        ? e
        : new TraceError("trace_failed", `Tracer failed: ${(e as Error)?.message ?? String(e)}`);
    const release = () => memories.give(memory);
    let code: number | Promise<number>;
    try {
      const ptr = writePixels(ex, image, crop, tw, th);
      const optsPtr = writeOptions(
        ex,
        OPTION_LAYOUT(opts, sw, sh, stopAfter ? STOP_CODE[stopAfter] : 0, writePalette(ex, opts)),
      );
      code = suspend ? suspend.promising(ex.trace)(ptr, tw, th, optsPtr) : ex.trace(ptr, tw, th, optsPtr);
    } catch (e) {
      release();
      throw asTraceError(e);
    }
    const finish = (result: number): TraceResult => {
      try {
        if (result !== 0) throw new TraceError("trace_failed", `Tracer returned code ${result}`);
        return collect(ex, opts, format, decodeMs, sw, sh, tw, th, t0, marks, onProgress);
      } finally {
        release();
      }
    };
    if (typeof code === "number") return finish(code);
    return code.then(finish, (e) => {
      release();
      throw progressError ? progressError.error : asTraceError(e);
    });
  }

  function collect(
    ex: TracerExports,
    opts: ResolvedTraceOptions,
    format: TraceStats["format"],
    decodeMs: number,
    sw: number,
    sh: number,
    tw: number,
    th: number,
    t0: number,
    marks: number[],
    onProgress: ((p: TraceProgress) => unknown) | undefined,
  ): TraceResult {
    const tTraced = now();
    onProgress?.({ stage: "writing", fraction: 0 });
    const len = ex.resultLen();
    const svg = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.resultPtr(), len));
    onProgress?.({ stage: "writing", fraction: 1 });
    const tEnd = now();
    const quantStart = marks[1] ?? t0;
    const traceStart = marks[2] ?? tTraced;
    return {
      svg,
      stats: {
        format,
        width: sw,
        height: sh,
        tracedWidth: tw,
        tracedHeight: th,
        downscaled: tw !== sw || th !== sh,
        mode: opts.mode,
        colors: ex.stat(3),
        paths: ex.stat(0),
        subpaths: ex.stat(1),
        points: ex.stat(2),
        bytes: len,
        ms: {
          decode: decodeMs,
          quantize: traceStart - quantStart,
          trace: tTraced - traceStart,
          write: tEnd - tTraced,
          total: decodeMs + (tEnd - t0),
        },
        peakMemoryBytes: ex.memory.buffer.byteLength,
      },
    };
  }

  /** runTrace, in tiles where tilesOf says so */
  function trace(
    image: RgbaImage,
    opts: ResolvedTraceOptions,
    format: TraceStats["format"],
    decodeMs: number,
    call: TraceCallOptions | undefined,
  ): TraceResult {
    const rects = tilesOf(image, opts, call?.stopAfter);
    if (!rects) return runTrace(image, opts, format, decodeMs, call);
    return joinResults(
      image,
      rects,
      rects.map((r) => runTrace(image, opts, format, decodeMs, call, r)),
    );
  }

  async function traceSuspending(
    image: RgbaImage,
    opts: ResolvedTraceOptions,
    call: { onProgress?: AsyncProgressCallback; onTick?: () => Promise<void> },
    suspend: Jspi,
  ): Promise<TraceResult> {
    const rects = tilesOf(image, opts, undefined);
    if (!rects) return runTrace(image, opts, "rgba", 0, call, undefined, suspend);
    const parts: TraceResult[] = [];
    for (const r of rects) parts.push(await runTrace(image, opts, "rgba", 0, call, r, suspend));
    return joinResults(image, rects, parts);
  }

  const tracer: Tracer = {
    readHeader,
    traceRgba(image, options, call) {
      const opts = resolveOptions(options);
      return trace(image, opts, "rgba", 0, call);
    },
    async traceRgbaAsync(image, options, call) {
      const opts = resolveOptions(options);
      const suspend = jspi();
      if (suspend) return traceSuspending(image, opts, call, suspend);
      return trace(image, opts, "rgba", 0, { onProgress: (p) => void call.onProgress?.(p) });
    },
    decode: (bytes, options, call) => decodeResolved(bytes, resolveOptions(options), call),
    async traceImage(bytes, options, call) {
      const opts = resolveOptions(options);
      const { image, format, decodeMs } = await decodeResolved(bytes, opts, call);
      return trace(image, opts, format, decodeMs, call);
    },
  };

  async function decodeResolved(bytes: Uint8Array, opts: ResolvedTraceOptions, call?: TraceCallOptions) {
    if (!(bytes instanceof Uint8Array)) throw new TraceError("corrupt_image", "Expected image bytes");
    const header = readHeader(bytes);
    const pixels = checkHeaderSize(header, opts);
    const decoder = decoders[header.format];
    if (!decoder) throw new TraceError("unsupported_format", `No decoder for ${header.format}`);
    call?.onProgress?.({ stage: "decoding", fraction: 0 });
    const t0 = now();
    const image = await decodeWith(decoder, bytes, header.format);
    if (!image || image.width * image.height !== pixels || image.data.length < pixels * 4) {
      throw new TraceError("corrupt_image", "Decoded size does not match the header");
    }
    const decodeMs = now() - t0;
    call?.onProgress?.({ stage: "decoding", fraction: 1 });
    return { image, format: header.format, decodeMs };
  }
  return tracer;
}
