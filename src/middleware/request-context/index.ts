import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../../app-env";
import { systemClock } from "../../lib/clock";
import { newId } from "../../lib/ids";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id (a sane incoming `X-Request-Id` is kept), echoes it on the response,
 * and writes one JSON log line per request when it ends.
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : newId("req");
  c.set("requestId", requestId);
  c.set("clock", systemClock);
  c.set("principal", null);
  c.set("idempotency", null);
  c.set("logFields", {});
  const started = Date.now();
  try {
    await next();
  } finally {
    c.header("X-Request-Id", requestId);
    console.log(
      JSON.stringify({
        level: c.res.status >= 500 ? "error" : "info",
        event: "request",
        requestId,
        method: c.req.method,
        route: routePath(c),
        path: c.req.path,
        status: c.res.status,
        durationMs: Date.now() - started,
        userId: c.get("principal")?.userId ?? null,
        ...c.get("logFields"),
      }),
    );
  }
});
