export interface VectorizeConfig {
  /** Credits one vectorize job costs. */
  creditCost: number;
  /** What a cache hit (same bytes, same options) costs; 0 by default. */
  cacheHitCost: number;
  /**
   * Largest image (width × height) accepted for tracing at all. Decoding 16 MP needs ~64 MB in the
   * codec plus a copy, too much for a 128 MB isolate, so the default is 8 MP (larger ones are then
   * traced downscaled to the tracer's `maxPixels`, 4 MP).
   */
  maxInputPixels: number;
  /** Largest image traced synchronously with `?sync=true`. */
  syncMaxPixels: number;
}

export function vectorizeConfig(env: Env): VectorizeConfig {
  const vars = env as unknown as Record<string, string | undefined>;
  const num = (v: string | undefined, fallback: number) =>
    v === undefined || v === "" ? fallback : Number(v);
  return {
    creditCost: num(vars.VECTORIZE_CREDIT_COST, 1),
    cacheHitCost: num(vars.VECTORIZE_CACHE_HIT_COST, 0),
    maxInputPixels: num(vars.VECTORIZE_MAX_INPUT_PIXELS, 8_388_608),
    syncMaxPixels: num(vars.VECTORIZE_SYNC_MAX_PIXELS, 1_048_576),
  };
}
