import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { ApiError } from "../../errors";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Unsafe requests that ride on the session cookie must prove they come from our own pages:
 * `Sec-Fetch-Site: same-origin`, or an `Origin` equal to ours. Bearer-authenticated calls carry no
 * ambient credentials and are exempt. Also applied to login/register (login CSRF) when a browser says
 * the request is cross-site.
 */
export const csrfProtection = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE.has(c.req.method)) return next();
  const principal = c.get("principal");
  const bearer = c.req.header("authorization") !== undefined;
  const fetchSite = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  const allowed = allowedOrigins(c.env, new URL(c.req.url).origin);

  const crossSite =
    (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") ||
    (origin !== undefined && !allowed.has(origin));

  if (principal?.via === "session" && !bearer) {
    const provenSameOrigin = fetchSite === "same-origin" || (origin !== undefined && allowed.has(origin));
    if (crossSite || !provenSameOrigin) {
      throw new ApiError(
        403,
        "csrf_rejected",
        "Cross-site request refused: send it from the app, or use a bearer token.",
      );
    }
  } else if (crossSite && !bearer) {
    throw new ApiError(403, "csrf_rejected", "Cross-site request refused.");
  }
  return next();
});

function allowedOrigins(env: Env, requestOrigin: string): Set<string> {
  const config = getConfig(env);
  return new Set([config.appOrigin, requestOrigin, ...config.corsOrigins]);
}
