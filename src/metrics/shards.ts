/** Metrics objects the load is spread over (their D1 upserts add up). */
export const METRICS_SHARDS = 4;

/** Whether requests are measured (METRICS_ENABLED, default on; `false` for an A/B of its cost). */
export function metricsEnabled(env: Env): boolean {
  return env.METRICS_ENABLED !== "false";
}

export function metricsShard(env: Env, shard: number) {
  return env.METRICS.get(env.METRICS.idFromName(`metrics-${shard}`));
}
