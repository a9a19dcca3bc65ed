import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../../app-env";
import { bufferSample } from "../../metrics/isolate-buffer";
import type { RequestSample } from "../../metrics/rollup";
import { metricsEnabled } from "../../metrics/shards";

const byteCount = (header: string | null | undefined) => {
  const n = Number(header);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/**
 * Records every API request — route pattern, status, duration — in a metrics Durable Object, sent
 * with the isolate's other samples after the answer (src/metrics/isolate-buffer.ts), so a request
 * waits for no metrics write and D1 sees one batch per flush instead of a write per request. The
 * same sample counts toward its caller's usage (src/usage).
 */
export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  if (!metricsEnabled(c.env)) return next();
  const started = Date.now();
  try {
    await next();
  } finally {
    const sample: RequestSample = {
      at: Date.now(),
      route: `${c.req.method} ${routePath(c)}`,
      status: c.res.status,
      durationMs: Date.now() - started,
      userId: c.get("principal")?.userId ?? null,
      bytesIn: byteCount(c.req.header("content-length")),
      bytesOut: byteCount(c.res.headers.get("content-length")),
    };
    bufferSample(c.env, c.executionCtx, sample);
  }
});
