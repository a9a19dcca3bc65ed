import { stringVars } from "../config";
import type { Pricing } from "./options";

export interface VectorizeConfig {
  /** Credits a production job costs (the full trace). */
  creditCost: number;
  /** Credits a preview job costs (traced from a reduced copy). */
  previewCreditCost: number;
  /** Credits another format of a retained result costs, once per job and format. */
  formatCreditCost: number;
  /** What a cache hit (same bytes, same options) costs; 0 by default. */
  cacheHitCost: number;
  /**
   * Largest image (width × height) accepted for tracing at all. Decoding 16 MP needs ~64 MB in the
   * codec plus a copy, too much for a 128 MB isolate, so the default is 8 MP (larger ones are then
   * traced in tiles of the tracer's `maxPixels`, 4 MP, or downscaled to it: src/wasm/tiles.ts).
   */
  maxInputPixels: number;
  /** Largest image traced synchronously with `?sync=true`. */
  syncMaxPixels: number;
  /** A preview is traced from a copy of at most this many pixels. */
  previewMaxPixels: number;
  /** Days a job's result can be downloaded in any format after it finished. */
  resultRetentionDays: number;
  /** Traces an auto-tuned job (`target`) may try. */
  tuneAttempts: number;
}

export function vectorizeConfig(env: Env): VectorizeConfig {
  const vars = stringVars(env);
  const num = (v: string | undefined, fallback: number) =>
    v === undefined || v === "" ? fallback : Number(v);
  return {
    creditCost: num(vars.VECTORIZE_CREDIT_COST, 10),
    previewCreditCost: num(vars.VECTORIZE_PREVIEW_CREDIT_COST, 2),
    formatCreditCost: num(vars.VECTORIZE_FORMAT_CREDIT_COST, 1),
    cacheHitCost: num(vars.VECTORIZE_CACHE_HIT_COST, 0),
    maxInputPixels: num(vars.VECTORIZE_MAX_INPUT_PIXELS, 8_388_608),
    syncMaxPixels: num(vars.VECTORIZE_SYNC_MAX_PIXELS, 1_048_576),
    previewMaxPixels: num(vars.VECTORIZE_PREVIEW_MAX_PIXELS, 262_144),
    resultRetentionDays: num(vars.VECTORIZE_RESULT_RETENTION_DAYS, 30),
    tuneAttempts: num(vars.VECTORIZE_TUNE_ATTEMPTS, 4),
  };
}

/** Credits one job (or synchronous trace) of this pricing costs. */
export function jobCost(config: VectorizeConfig, pricing: Pricing): number {
  return pricing === "test" ? 0 : pricing === "preview" ? config.previewCreditCost : config.creditCost;
}
