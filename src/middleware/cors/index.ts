import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { TUS_REQUEST_HEADERS, TUS_RESPONSE_HEADERS } from "../../media/tus/protocol";

const ALLOW_METHODS = "GET,HEAD,PUT,POST,DELETE,PATCH";
const ALLOW_HEADERS = [
  "Content-Type",
  "Authorization",
  "Idempotency-Key",
  "X-Request-Id",
  ...TUS_REQUEST_HEADERS,
].join(",");
const EXPOSE_HEADERS = [
  "X-Request-Id",
  "Retry-After",
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  ...TUS_RESPONSE_HEADERS,
].join(",");
const MAX_AGE_SECONDS = "600";

/**
 * CORS for the configured origins (CORS_ORIGINS), with credentials. A preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here, 204; any other request gets its headers through
 * the answer's headers (src/lib/answer-headers.ts) rather than on a Response made before the
 * handler's, which hono's own `cors` does and which made hono copy every answer (bench:profile).
 * An OPTIONS without Access-Control-Request-Method is no preflight (tus asks for its capabilities
 * with one): it goes to the route.
 */
export const corsForOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const origin = c.req.header("origin");
  const allowed = origin !== undefined && getConfig(c.env).corsOrigins.includes(origin) ? origin : null;
  const preflight = c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined;
  if (preflight) {
    const headers = new Headers({
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Allow-Methods": ALLOW_METHODS,
      "Access-Control-Allow-Headers": ALLOW_HEADERS,
      "Access-Control-Max-Age": MAX_AGE_SECONDS,
      Vary: "Origin",
    });
    if (allowed) headers.set("Access-Control-Allow-Origin", allowed);
    return new Response(null, { status: 204, headers });
  }
  const answer = c.var.answerHeaders;
  if (allowed) {
    answer.set("Access-Control-Allow-Origin", allowed);
    answer.set("Access-Control-Allow-Credentials", "true");
    answer.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }
  // The answer differs by Origin, so a shared cache must key on it even when none was sent.
  answer.append("Vary", "Origin");
  return next();
});
