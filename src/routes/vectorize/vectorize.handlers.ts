import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { toJobView } from "../../jobs/views";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { startVectorize, traceNow } from "../../vectorize/service";
import type { vectorize, vectorizeBatch } from "./vectorize.routes";

export const vectorizeHandler: RouteHandler<typeof vectorize, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  await spendRateLimit(c, "job-create", principal.userId);
  if (c.req.valid("query").sync === "true") {
    const { svg, stats } = await traceNow(c.env, principal, body.mediaId, body.options);
    return c.body(svg, 200, {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Content-Security-Policy": "sandbox",
      "X-Trace-Paths": String(stats.paths),
      "X-Trace-Ms": String(Math.round(stats.ms.total)),
    });
  }
  const job = await startVectorize(
    c.env,
    principal,
    { mediaIds: [body.mediaId], options: body.options },
    c.var.clock(),
  );
  return c.json({ job: toJobView(job) }, 202);
};

export const vectorizeBatchHandler: RouteHandler<typeof vectorizeBatch, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  await spendRateLimit(c, "job-create", principal.userId);
  const job = await startVectorize(
    c.env,
    principal,
    { mediaIds: [...new Set(body.mediaIds)], options: body.options },
    c.var.clock(),
  );
  return c.json({ job: toJobView(job) }, 202);
};
