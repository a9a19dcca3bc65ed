import { sendBuffered } from "./isolate-buffer";
import { METRICS_SHARDS, metricsShard } from "./shards";

/** Sends this isolate's buffered samples, then flushes every metrics shard now; returns how many rollups were written. */
export async function flushMetrics(env: Env): Promise<number> {
  await sendBuffered(env);
  let written = 0;
  for (let shard = 0; shard < METRICS_SHARDS; shard++) written += await metricsShard(env, shard).flush();
  return written;
}
