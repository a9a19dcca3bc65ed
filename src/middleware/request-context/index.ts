import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { AnswerHeaders } from "../../lib/answer-headers";
import { systemClock } from "../../lib/clock";
import { newId } from "../../lib/ids";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A request at least this slow is always logged. */
export const SLOW_REQUEST_MS = 1000;

let fastReads = 0;

/**
 * How many requests this request's line stands for (ADR 0015): 1 for every error (status ≥ 400),
 * slow request and change, always written; of the fast successful GETs and HEADs one in `sample` per
 * isolate is written, standing for `sample` (its line says `sampled`); 0: not written.
 */
function lineWeight(method: string, status: number, durationMs: number, sample: number): number {
  const always = status >= 400 || durationMs >= SLOW_REQUEST_MS || (method !== "GET" && method !== "HEAD");
  if (always || sample === 1) return 1;
  fastReads = (fastReads + 1) % sample;
  return fastReads === 0 ? sample : 0;
}

/**
 * Gives every request an id (a sane incoming `X-Request-Id` is kept), echoes it on the response,
 * puts the headers other middleware recorded for the answer on it (src/lib/answer-headers.ts), and
 * writes one JSON log line per request when it ends — for fast successful reads, a sample.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : newId("req");
  c.set("requestId", requestId);
  c.set("clock", systemClock);
  c.set("principal", null);
  c.set("idempotency", null);
  c.set("logFields", {});
  const answerHeaders = new AnswerHeaders();
  answerHeaders.set("X-Request-Id", requestId);
  c.set("answerHeaders", answerHeaders);
  const started = Date.now();
  try {
    await next();
  } finally {
    const answer = answerHeaders.applyTo(c.res);
    if (answer !== c.res) c.res = answer;
    const method = c.req.method;
    const status = c.res.status;
    const durationMs = Date.now() - started;
    const weight = lineWeight(method, status, durationMs, getConfig(c.env).requestLogSample);
    if (weight > 0)
      console.log(
        JSON.stringify({
          level: status >= 500 ? "error" : "info",
          event: "request",
          requestId,
          method,
          route: routePath(c),
          path: c.req.path,
          status,
          durationMs,
          userId: c.get("principal")?.userId ?? null,
          ...c.get("logFields"),
          ...(weight > 1 ? { sampled: weight } : {}),
        }),
      );
  }
});
