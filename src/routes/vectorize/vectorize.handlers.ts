import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { ApiError } from "../../errors";
import { enqueueJobs } from "../../jobs/runner";
import { toJobView } from "../../jobs/views";
import { blobKey } from "../../media/blob-store";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { createVectorizeJobs, traceableSource, vectorizeConfig } from "../../vectorize/service";
import { getTracer, isTraceError } from "../../wasm";
import type { vectorize, vectorizeBatch } from "./vectorize.routes";

export const vectorizeHandler: RouteHandler<typeof vectorize, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  await spendRateLimit(c, "job-create", principal.userId);
  const db = getDb(c.env.DB);
  const config = vectorizeConfig(c.env);

  if (c.req.valid("query").sync === "true") {
    const source = await traceableSource(db, principal.userId, body.mediaId, config);
    const pixels = (source.width ?? 0) * (source.height ?? 0);
    if (pixels > config.syncMaxPixels) {
      throw new ApiError(
        413,
        "too_large_for_sync",
        `Synchronous tracing takes up to ${config.syncMaxPixels} pixels; queue a job instead.`,
      );
    }
    const object = await c.env.MEDIA.get(blobKey(source.sha256));
    if (!object) throw new ApiError(404, "not_found", "The image's bytes are gone.");
    try {
      const { svg, stats } = await getTracer().traceImage(
        new Uint8Array(await object.arrayBuffer()),
        body.options,
      );
      return c.body(svg, 200, {
        "Content-Type": "image/svg+xml; charset=utf-8",
        "Content-Security-Policy": "sandbox",
        "X-Trace-Paths": String(stats.paths),
        "X-Trace-Ms": String(Math.round(stats.ms.total)),
      });
    } catch (error) {
      if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
      throw error;
    }
  }

  const created = await createOrExplain(() =>
    createVectorizeJobs(
      db,
      principal,
      { mediaIds: [body.mediaId], options: body.options },
      config,
      c.var.clock(),
    ),
  );
  await enqueueJobs(c.env, db, created.toEnqueue, c.var.clock());
  return c.json({ job: toJobView(created.job) }, 202);
};

export const vectorizeBatchHandler: RouteHandler<typeof vectorizeBatch, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  await spendRateLimit(c, "job-create", principal.userId);
  const db = getDb(c.env.DB);
  const created = await createOrExplain(() =>
    createVectorizeJobs(
      db,
      principal,
      { mediaIds: [...new Set(body.mediaIds)], options: body.options },
      vectorizeConfig(c.env),
      c.var.clock(),
    ),
  );
  await enqueueJobs(c.env, db, created.toEnqueue, c.var.clock());
  return c.json({ job: toJobView(created.job) }, 202);
};

/** Option combinations zod can't see (the tracer's own checks) become 422s. */
async function createOrExplain<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
    throw error;
  }
}
