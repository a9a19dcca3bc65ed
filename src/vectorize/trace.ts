/**
 * One vectorize trace as jobs (and `?sync=true`) run it: decode the source once, trace it — with a
 * `target`, up to `budget` option sets (auto-tune) — and measure each trace against the source.
 * Trace errors are the caller's to map (a job fails permanently, a request answers 422). The tracer
 * is handed in (workerd's or Node's), so the benchmarks run exactly this.
 */
import {
  DEFAULT_MAX_PIXELS,
  type TraceOptions,
  type TraceProgress,
  type TraceResult,
  type Tracer,
} from "../wasm/shared";
import type { VectorizeConfig } from "./config";
import { writeSvg } from "./formats/svg";
import { type Pricing, traceOptionsOf, type VectorizeOptions, type VectorizeTarget } from "./options";
import { yieldToOthers } from "./progress";
import { comparisonOf, measureQuality, type Quality } from "./quality/report";
import { levelOptions, type TuneAttempt, tune } from "./tune";
import { fromTracerSvg, type VectorDoc } from "./vector/document";
import { watermarkLayer } from "./watermark";

/**
 * The tracer's options for a request: the caller's, without `target`, under the deployment's pixel
 * cap, and for a preview under the preview's (a preview is traced from a reduced copy).
 */
export function baseOptions(
  options: VectorizeOptions,
  pricing: Pricing,
  config: VectorizeConfig,
): TraceOptions {
  const trace = traceOptionsOf(options);
  const cap = config.maxInputPixels;
  const base: TraceOptions = { ...trace, maxInputPixels: Math.min(trace.maxInputPixels ?? cap, cap) };
  if (pricing === "preview") {
    // a preview is cheap because it traces a reduced copy: never full-resolution tiles
    base.maxPixels = Math.min(trace.maxPixels ?? DEFAULT_MAX_PIXELS, config.previewMaxPixels);
    if (base.onOversize !== "error") base.onOversize = "downscale";
  }
  return base;
}

/**
 * The result as stored and served: its vector document and SVG. A test result (free) carries the
 * watermark in both; otherwise the SVG is the tracer's own.
 */
export function finalResult(svg: string, pricing: Pricing): { doc: VectorDoc; svg: string } {
  const doc = fromTracerSvg(svg);
  if (pricing !== "test") return { doc, svg };
  doc.layers.push(watermarkLayer(doc.width, doc.height));
  return { doc, svg: writeSvg(doc) };
}

export interface TraceHooks {
  /** the tracer's progress during attempt `k` (0-based); may wait (see traceRgbaAsync) */
  onProgress?(k: number, p: TraceProgress): void | Promise<void>;
  /** before attempt `k` is measured */
  onMeasuring?(k: number): Promise<void>;
}

export interface BestTrace {
  result: TraceResult;
  quality: Quality;
  decodeMs: number;
  tune?: { met: boolean; chosen: number; attempts: TuneAttempt[] };
}

export async function traceBest(
  tracer: Tracer,
  bytes: Uint8Array,
  base: TraceOptions,
  target: VectorizeTarget | undefined,
  budget: number,
  hooks: TraceHooks = {},
): Promise<BestTrace> {
  const decoded = await tracer.decode(bytes, base);
  await yieldToOthers();
  const comparison = comparisonOf(decoded.image);
  await yieldToOthers();
  const traced: { result: TraceResult; quality: Quality }[] = [];
  const attempt = async (level: number) => {
    const k = traced.length;
    const result = await tracer.traceRgbaAsync(decoded.image, levelOptions(base, level), {
      onProgress: (p) => hooks.onProgress?.(k, p),
      onTick: yieldToOthers,
    });
    await hooks.onMeasuring?.(k);
    const quality = await measureQuality(comparison, result.svg, yieldToOthers);
    traced.push({ result, quality });
    return { bytes: result.stats.bytes, ssim: quality.ssim };
  };
  if (!target) {
    await attempt(0);
    return { ...traced[0]!, decodeMs: decoded.decodeMs };
  }
  const tuned = await tune(target, Math.max(1, budget), attempt);
  return {
    ...traced[tuned.chosen]!,
    decodeMs: decoded.decodeMs,
    tune: { met: tuned.attempts[tuned.chosen]!.met, chosen: tuned.chosen, attempts: tuned.attempts },
  };
}
