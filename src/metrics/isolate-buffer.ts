import type { RequestSample } from "./rollup";
import { METRICS_SHARDS, metricsShard } from "./shards";

/**
 * Request samples this isolate has not sent to a metrics object yet. A Durable Object call per
 * request was one of the largest costs of a signed-in GET (bench:api, ADR 0013); samples wait here
 * for up to BUFFER_MS (or until MAX_BUFFERED have come) and go to one shard in one call. The request
 * whose sample starts a buffer sends it after BUFFER_MS (waitUntil); `flushMetrics` sends it at once.
 * Samples an isolate holds when it is evicted are lost — at most BUFFER_MS's worth; once sent, the
 * metrics object keeps them in its storage until they are written (src/durable/metrics.ts).
 */
export const BUFFER_MS = 1000;
export const MAX_BUFFERED = 200;

let buffered: RequestSample[] = [];
/** When the send of the current buffer was scheduled; a send that never ran (its request was torn down) is overdue. */
let scheduledMs: number | null = null;

export function bufferSample(
  env: Env,
  ctx: { waitUntil(promise: Promise<unknown>): void },
  sample: RequestSample,
): void {
  buffered.push(sample);
  const now = Date.now();
  if (buffered.length >= MAX_BUFFERED) ctx.waitUntil(sendBuffered(env));
  else if (scheduledMs === null || now - scheduledMs > 2 * BUFFER_MS) {
    scheduledMs = now;
    ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, BUFFER_MS)).then(() => sendBuffered(env)));
  }
}

/** Sends what this isolate holds to one metrics object (a random shard). */
export async function sendBuffered(env: Env): Promise<void> {
  const samples = buffered;
  buffered = [];
  scheduledMs = null;
  if (samples.length === 0) return;
  const shard = metricsShard(env, Math.floor(Math.random() * METRICS_SHARDS));
  await shard.record(samples).catch((error: unknown) =>
    console.log(
      JSON.stringify({
        level: "warn",
        event: "metrics_record_failed",
        samples: samples.length,
        error: String(error),
      }),
    ),
  );
}
