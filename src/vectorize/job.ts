import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { rawInBatch } from "../db/client";
import { media } from "../db/schema";
import { defineGroupJobType, defineJobType } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { sha256Hex } from "../lib/crypto";
import { blobObjectKey, newBlobKey, settleWrittenObject } from "../media/blob-store";
import { isQuotaError, mediaInsertStatements } from "../media/library";
import { getTracer, isTraceError } from "../wasm";
import { jobCost, vectorizeConfig } from "./config";
import { resultNameFor } from "./names";
import { PRICING, vectorizeOptionsSchema } from "./options";
import { progressReporter, yieldToOthers } from "./progress";
// resvg (PNG, the quality comparison) with its module bundled for workerd
import "../lib/resvg.workerd";
import { putVectorDoc } from "./store";
import { baseOptions, finalResult, traceBest } from "./trace";

const vectorizeInput = z.object({
  mediaId: z.string(),
  options: vectorizeOptionsSchema,
  /** The cache key (see `cachedOutput`): the same bytes with the same options and pricing reuse the result. */
  optionsHash: z.string(),
  sourceSha256: z.string(),
  pricing: z.enum(PRICING).default("production"),
});

export const qualitySchema = z
  .object({
    ssim: z.number().openapi({ description: "SSIM of the result against the source (1 = identical)" }),
    deltaE: z.number().openapi({ description: "Mean colour difference, Oklab ΔE × 100 (0 = identical)" }),
    gmsd: z
      .number()
      .openapi({ description: "Gradient magnitude similarity deviation (0 = identical edges)" }),
  })
  .openapi("VectorizeQuality", {
    description: `Measured on white at most ${512} px on the long side.`,
  });

export const vectorizeResult = z
  .object({
    mediaId: z.string().openapi({ description: "The SVG's media id (same as svgMediaId)" }),
    svgMediaId: z.string(),
    sourceMediaId: z.string().optional(),
    name: z.string().optional().openapi({ description: "The SVG's name: what made it (`logo.c8.svg`)" }),
    bytes: z.number().optional(),
    paths: z.number().optional(),
    points: z.number().optional(),
    colors: z.number().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    downscaled: z.boolean().optional(),
    quality: qualitySchema.optional(),
    pricing: z.enum(PRICING).optional(),
    vectorSha256: z
      .string()
      .optional()
      .openapi({ description: "The stored trace every format is written from (`/jobs/{id}/result`)" }),
    tune: z
      .object({
        met: z.boolean(),
        chosen: z.number().int(),
        attempts: z.array(
          z.object({ level: z.number().int(), bytes: z.number(), ssim: z.number(), met: z.boolean() }),
        ),
      })
      .optional()
      .openapi({ description: "With `target`: every option set tried, and the one kept" }),
    cached: z.literal(true).optional().openapi({ description: "Answered from an earlier job's result" }),
    fromJobId: z.string().optional(),
  })
  .openapi("VectorizeJobResult");
export type VectorizeResult = z.infer<typeof vectorizeResult>;

function permanentTraceError(error: unknown): never {
  if (isTraceError(error)) throw new PermanentJobError(error.code, error.message);
  throw error;
}

/**
 * One vectorize job: read the source blob from R2, decode it once, trace it (with `target`, a few
 * option sets), measure each trace against the source, and store the result: the vector document in
 * R2 (every format is written from it later) and the SVG as a new media item beside the source. The
 * SVG row, the cache entry and the quota change are committed in the job's success batch, so a
 * retried or duplicated delivery can never leave two SVGs (see `succeedJob`).
 */
export const vectorizeJob = defineJobType({
  name: "vectorize",
  input: vectorizeInput,
  result: vectorizeResult,
  queue: (env) => env.VECTORIZE_QUEUE,
  cost: (input, env) => jobCost(vectorizeConfig(env), input.pricing),
  permanentCommitError: (error) =>
    isQuotaError(error)
      ? { code: "quota_exceeded", message: "Storing the result would take you over your storage quota." }
      : undefined,
  async handler(ctx) {
    const { env, db, claim, input } = ctx;
    const config = vectorizeConfig(env);
    const target = input.options.target;
    const budget = target ? Math.max(1, config.tuneAttempts) : 1;
    const progress = progressReporter(ctx.step, budget);

    await progress.stage("decoding", 2);
    const source = await db.select().from(media).where(eq(media.id, input.mediaId)).get();
    if (!source || source.ownerId !== claim.job.userId) {
      throw new PermanentJobError("source_missing", "The image was deleted before it could be vectorized.");
    }
    const sourceKey = await blobObjectKey(db, source.sha256);
    const object = sourceKey && (await env.MEDIA.get(sourceKey));
    if (!object) throw new PermanentJobError("source_missing", "The image's bytes are gone from storage.");
    const bytes = new Uint8Array(await object.arrayBuffer());

    const base = baseOptions(input.options, input.pricing, config);
    const best = await traceBest(getTracer(), bytes, base, target, budget, {
      onProgress: (k, p) => progress.trace(k, p),
      onMeasuring: (k) => progress.measuring(k),
    }).catch(permanentTraceError);

    await progress.writing();
    const { doc, svg } = finalResult(best.result.svg, input.pricing);
    await yieldToOthers();
    const vector = await putVectorDoc(env.MEDIA, doc);
    const svgBytes = new TextEncoder().encode(svg);
    const sha256 = await sha256Hex(svgBytes);
    const written = newBlobKey(sha256);
    await env.MEDIA.put(written, svgBytes, { httpMetadata: { contentType: "image/svg+xml" }, sha256 });
    const now = ctx.now();
    const name = resultNameFor(source.name, input.options, input.pricing);
    const { stats } = best.result;
    const { row, statements } = mediaInsertStatements(
      db,
      {
        ownerId: claim.job.userId,
        name,
        folder: source.folder,
        tags: [...new Set([...source.tags, "vectorized"])],
        mime: "image/svg+xml",
        kind: "image",
        size: svgBytes.byteLength,
        sha256,
        width: stats.width,
        height: stats.height,
        objectKey: written,
      },
      now,
    );
    const cacheEntry = rawInBatch(
      db,
      sql`INSERT INTO vectorize_outputs (job_id, owner_id, source_media_id, source_sha256, options_hash, svg_media_id, created_at)
        VALUES (${claim.job.id}, ${claim.job.userId}, ${source.id}, ${input.sourceSha256}, ${input.optionsHash}, ${row.id}, ${now.toISOString()})
        ON CONFLICT (owner_id, source_sha256, options_hash) DO UPDATE SET job_id = excluded.job_id, svg_media_id = excluded.svg_media_id`,
    );
    const result: VectorizeResult = {
      mediaId: row.id,
      svgMediaId: row.id,
      sourceMediaId: source.id,
      name,
      bytes: svgBytes.byteLength,
      paths: stats.paths,
      points: stats.points,
      colors: stats.colors,
      width: stats.width,
      height: stats.height,
      downscaled: stats.downscaled,
      quality: best.quality,
      pricing: input.pricing,
      vectorSha256: vector.sha256,
      ...(best.tune ? { tune: best.tune } : {}),
    };
    return {
      result,
      domain: [...statements, cacheEntry],
      stageTimings: { ...stats.ms, decode: best.decodeMs },
      cleanup: () => env.MEDIA.delete(written),
      afterCommit: () => settleWrittenObject(db, env.MEDIA, sha256, written),
    };
  },
});

/** Many images at once: a group job whose children are `vectorize` jobs, one per image. */
export const vectorizeBatchJob = defineGroupJobType({
  name: "vectorize-batch",
  input: z.object({
    mediaIds: z.array(z.string()),
    options: vectorizeOptionsSchema,
    pricing: z.enum(PRICING).default("production"),
  }),
  result: z
    .object({
      succeeded: z.number(),
      failed: z.number(),
      cancelled: z.number(),
      total: z.number(),
      svgMediaIds: z.array(z.string().nullable()).openapi({ description: "Per image, in request order" }),
    })
    .openapi("VectorizeBatchJobResult"),
  summarize: (children) => ({
    svgMediaIds: children.map((c) => (c.result?.svgMediaId as string | undefined) ?? null),
  }),
  allFailedMessage: "No image of the batch could be vectorized.",
});
