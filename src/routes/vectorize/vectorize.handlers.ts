import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { toJobView } from "../../jobs/views";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { quoteVectorize, startVectorize, traceNow } from "../../vectorize/service";
import type { vectorize, vectorizeBatch, vectorizeQuote } from "./vectorize.routes";

export const vectorizeHandler: RouteHandler<typeof vectorize, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  await spendRateLimit(c, "job-create", principal.userId);
  if (c.req.valid("query").sync === "true") {
    const { svg, stats, quality } = await traceNow(
      c.env,
      principal,
      body.mediaId,
      body.options,
      body.pricing,
      c.var.clock(),
    );
    return c.body(svg, 200, {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Content-Security-Policy": "sandbox",
      "X-Trace-Paths": String(stats.paths),
      "X-Trace-Ms": String(Math.round(stats.ms.total)),
      "X-Trace-Quality": `ssim=${quality.ssim}; deltaE=${quality.deltaE}; gmsd=${quality.gmsd}`,
    });
  }
  const job = await startVectorize(
    c.env,
    principal,
    { mediaIds: [body.mediaId], options: body.options, pricing: body.pricing },
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
    { mediaIds: [...new Set(body.mediaIds)], options: body.options, pricing: body.pricing },
    c.var.clock(),
  );
  return c.json({ job: toJobView(job) }, 202);
};

export const vectorizeQuoteHandler: RouteHandler<typeof vectorizeQuote, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const quote = await quoteVectorize(c.env, caller(c), {
    mediaIds: [...new Set(body.mediaIds)],
    options: body.options,
    pricing: body.pricing,
  });
  return c.json(quote, 200);
};
