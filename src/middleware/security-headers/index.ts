import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { writableAnswer } from "../../lib/answer-headers";

/**
 * Security headers on every answer. The API never serves markup except the docs page, which
 * uses only same-origin script and style.
 */
const defaults = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    connectSrc: ["'self'", "ws:", "wss:"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  strictTransportSecurity: "max-age=63072000; includeSubDomains",
  xContentTypeOptions: "nosniff",
  referrerPolicy: "strict-origin-when-cross-origin",
  xFrameOptions: "DENY",
  crossOriginResourcePolicy: "same-origin",
  crossOriginOpenerPolicy: "same-origin",
});

/**
 * The defaults above on every answer; a handler that sets its own, stricter Content-Security-Policy
 * (e.g. `sandbox` on user SVGs) keeps it.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  let own: string | null = null;
  await defaults(c, async () => {
    await next();
    own = c.res.headers.get("content-security-policy");
    // hono's secureHeaders writes into the answer's own headers: a WebSocket upgrade's are immutable.
    const writable = writableAnswer(c.res);
    if (writable !== c.res) c.res = writable;
  });
  if (own) c.header("Content-Security-Policy", own);
});
