import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import type { AppEnv } from "./app-env";
import { ensureBootstrapAdmin } from "./auth/accounts";
import { devPayPalStandIn } from "./billing/transport";
import { getConfig } from "./config";
import { getDb } from "./db/client";
import { ApiError, problemBody, validationError } from "./errors";
import { isTransientPlatformError } from "./lib/platform-errors";
import { authenticate } from "./middleware/auth";
import { bodyGuard } from "./middleware/body-guard";
import { corsForOrigins } from "./middleware/cors";
import { csrfProtection } from "./middleware/csrf";
import { IdempotentReplay, idempotency } from "./middleware/idempotency";
import { requestMetrics } from "./middleware/metrics";
import { holdRepeatedRefusals, perCaller } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";
import { accountRouter } from "./routes/account/account.index";
import { adminRouter } from "./routes/admin/admin.index";
import { adminBillingRouter } from "./routes/admin-billing/admin-billing.index";
import { adminJobsRouter } from "./routes/admin-jobs/admin-jobs.index";
import { alertsRouter } from "./routes/alerts/alerts.index";
import { announcementsRouter } from "./routes/announcements/announcements.index";
import { auditRouter } from "./routes/audit/audit.index";
import { authRouter } from "./routes/auth/auth.index";
import { billingRouter } from "./routes/billing/billing.index";
import { categoriesRouter } from "./routes/categories/categories.index";
import { docsRouter } from "./routes/docs/docs.index";
import { fingerprintsRouter } from "./routes/fingerprints/fingerprints.index";
import { foldersRouter } from "./routes/folders/folders.index";
import { healthRouter } from "./routes/health/health.index";
import { imagesRouter } from "./routes/images/images.index";
import { jobsRouter } from "./routes/jobs/jobs.index";
import { libraryRouter } from "./routes/library/library.index";
import { mediaRouter } from "./routes/media/media.index";
import { metricsRouter } from "./routes/metrics/metrics.index";
import { createRouter, withMiddlewareAnswers } from "./routes/openapi";
import { organizeRouter } from "./routes/organize/organize.index";
import { resultsRouter } from "./routes/results/results.index";
import { securityRouter } from "./routes/security/security.index";
import { sharesRouter } from "./routes/shares/shares.index";
import { storageRouter } from "./routes/storage/storage.index";
import { tusRouter } from "./routes/tus/tus.index";
import { usageRouter } from "./routes/usage/usage.index";
import { vectorizeRouter } from "./routes/vectorize/vectorize.index";
import { webhooksRouter } from "./routes/webhooks/webhooks.index";
import { webhookEvents } from "./webhook-events";
import { relaySoon } from "./webhooks/relay";

const MAX_JSON_BYTES = 1024 * 1024;
/** Answers that carry credentials are never stored for idempotent replay. */
const NOT_REPLAYABLE = new Set([
  "/api/v1/auth/login",
  "/api/v1/auth/refresh",
  "/api/v1/api-keys",
  "/api/v1/me/password",
  "/api/v1/auth/password-reset/confirm",
  "/api/v1/me/2fa/setup",
  "/api/v1/me/2fa/enable",
]);

/** Media uploads stream multipart or raw bytes (src/media); every other body is JSON. */
function isUploadRoute(path: string, method: string): boolean {
  return (
    (method === "POST" && path === "/api/v1/media") ||
    (method === "PUT" && /^\/api\/v1\/media\/uploads\/[^/]+\/parts\/[^/]+$/.test(path)) ||
    // tus: creation-with-upload and PATCH carry application/offset+octet-stream.
    (method === "POST" && path === "/api/v1/tus") ||
    (method === "PATCH" && /^\/api\/v1\/tus\/[^/]+$/.test(path)) ||
    // A share link's password form (a plain HTML form on the share page).
    (method === "POST" && /^\/api\/v1\/shares\/[^/]+\/unlock$/.test(path))
  );
}

const DOCUMENT_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Edgecraft API",
    version: "1.0.0",
    description:
      "Media library, vectorizer and organizer. Errors are application/problem+json with a stable `code`.",
  },
  servers: [{ url: "/api/v1" }],
};

/**
 * A change that succeeded may have written outbox events (an upload, a job ended by a cancel):
 * relay them to webhooks after the answer, so endpoints hear within seconds, not at the next cron.
 */
const relayAfterChanges = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.res.status < 400)
    c.executionCtx.waitUntil(relaySoon(c.env, webhookEvents, c.var.clock()));
});

/** Builds the whole HTTP app: middleware in order, the /api/v1 routers, docs, and one error mapper. */
export function createApp() {
  const api = createRouter();
  api.use("*", async (c, next) => {
    if (NOT_REPLAYABLE.has(c.req.path)) return next();
    return idempotency(c, next);
  });
  api.use("*", perCaller);
  api.route("/", healthRouter);
  api.route("/", authRouter);
  api.route("/", accountRouter);
  api.route("/", securityRouter);
  api.route("/", adminRouter);
  api.route("/", auditRouter);
  api.route("/", announcementsRouter);
  api.route("/", metricsRouter);
  api.route("/", usageRouter);
  api.route("/", alertsRouter);
  api.route("/", libraryRouter);
  api.route("/", mediaRouter);
  api.route("/", foldersRouter);
  api.route("/", imagesRouter);
  api.route("/", sharesRouter);
  api.route("/", jobsRouter);
  api.route("/", adminJobsRouter);
  api.route("/", vectorizeRouter);
  api.route("/", resultsRouter);
  api.route("/", organizeRouter);
  api.route("/", fingerprintsRouter);
  api.route("/", categoriesRouter);
  api.route("/", billingRouter);
  api.route("/", adminBillingRouter);
  api.route("/", webhooksRouter);
  api.route("/", storageRouter);
  api.route("/", tusRouter);

  let document: ReturnType<typeof api.getOpenAPI31Document> | null = null;
  api.get("/openapi.json", (c) => {
    document ??= withMiddlewareAnswers(api.getOpenAPI31Document(DOCUMENT_INFO));
    return c.json(document);
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  api.openAPIRegistry.registerComponent("securitySchemes", "cookie", {
    type: "apiKey",
    in: "cookie",
    name: "__Host-edgecraft_session",
  });

  const app = createRouter();
  app.use("/api/*", holdRepeatedRefusals);
  app.use("*", requestContext);
  app.use("/api/*", requestMetrics);
  app.use("*", async (c, next) => {
    c.set("selfFetch", async (request) => app.fetch(request, c.env, c.executionCtx));
    return next();
  });
  app.use("*", securityHeaders);
  app.use("/api/*", corsForOrigins);
  app.use("/api/*", async (c, next) => {
    await ensureBootstrapAdmin(getDb(c.env.DB), c.env, {
      freeCredits: getConfig(c.env).freeCredits,
      now: c.var.clock(),
    });
    return next();
  });
  app.use("/api/v1/*", bodyGuard({ maxJsonBytes: MAX_JSON_BYTES, allowsNonJson: isUploadRoute }));
  app.use("/api/v1/*", relayAfterChanges);
  app.use("/api/v1/*", authenticate);
  app.use("/api/v1/*", csrfProtection);
  app.route("/api/v1", api);
  app.route("/api/docs", docsRouter);
  // The local PayPal stand-in, only in dev and only when PAYPAL_API_BASE points here (README: Billing).
  app.all("/__dev/paypal/*", (c) =>
    devPayPalStandIn(c.env, new URL(c.req.url).origin, c.var.selfFetch).fetch(c.req.raw),
  );

  const methodsOf = methodsByPath(api);
  app.notFound((c) => {
    if (!c.req.path.startsWith("/api/")) return c.env.ASSETS.fetch(c.req.raw);
    const allowed = c.req.path.startsWith("/api/v1/") ? methodsOf(c.req.path.slice("/api/v1".length)) : [];
    if (allowed.length > 0) {
      return problem(
        c,
        new ApiError(405, "method_not_allowed", `${c.req.path} answers ${allowed.join(", ")}.`, {
          headers: { Allow: allowed.join(", ") },
        }),
      );
    }
    return problem(c, new ApiError(404, "route_not_found", `No route for ${c.req.method} ${c.req.path}.`));
  });
  app.onError((error, c) =>
    error instanceof IdempotentReplay ? error.getResponse() : problem(c, toApiError(error, c)),
  );
  return app;
}

/** The methods the API's routes answer for a path (for 405 and its Allow header). */
function methodsByPath(api: ReturnType<typeof createRouter>): (path: string) => string[] {
  const routes = api.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\/:\w+/g, "/[^/]+")}$`),
    }));
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

function toApiError(error: unknown, c: Context<AppEnv>): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return validationError(error);
  if (error instanceof HTTPException) {
    if (error.status === 400 && /malformed json/i.test(error.message)) {
      return new ApiError(400, "malformed_json", "The body is not valid JSON.");
    }
    if (error.status === 413) return new ApiError(413, "payload_too_large", "The body is too large.");
    if (error.status < 500) return new ApiError(error.status, "bad_request", error.message || "Bad request.");
  }
  if (isTransientPlatformError(error)) {
    console.log(
      JSON.stringify({
        level: "error",
        event: "platform_unavailable",
        requestId: c.get("requestId"),
        error: `${(error as Error).name}: ${(error as Error).message}`,
      }),
    );
    return new ApiError(
      503,
      "temporarily_unavailable",
      "The service is overloaded just now; try again shortly.",
      {
        headers: { "Retry-After": "1" },
      },
    );
  }
  console.log(
    JSON.stringify({
      level: "error",
      event: "unhandled_error",
      requestId: c.get("requestId"),
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    }),
  );
  return new ApiError(
    500,
    "internal_error",
    "Something went wrong on our side. Quote the request id if you report it.",
  );
}

function problem(c: Context<AppEnv>, error: ApiError): Response {
  const requestId = c.get("requestId") ?? "unknown";
  const body = problemBody(error.status, error.code, error.detail, requestId, error.extra.errors);
  const res = new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      "Content-Type": "application/problem+json",
      "X-Request-Id": requestId,
      ...error.extra.headers,
    },
  });
  return res;
}
