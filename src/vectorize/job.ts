import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { rawInBatch } from "../db/client";
import { media } from "../db/schema";
import { defineGroupJobType, defineJobType } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { sha256Hex } from "../lib/crypto";
import { blobKey } from "../media/blob-store";
import { discardBlobIfUnreferenced, isQuotaError, mediaInsertStatements } from "../media/library";
import { getTracer, isTraceError, traceOptionsSchema } from "../wasm";
import { vectorizeConfig } from "./config";

/** `logo.png` → `logo.svg`. */
export function svgNameFor(sourceName: string): string {
  const base = sourceName.replace(/\.[A-Za-z0-9]{1,5}$/, "");
  return `${base || "image"}.svg`;
}

const vectorizeInput = z.object({
  mediaId: z.string(),
  options: traceOptionsSchema,
  /** The cache key (see `cachedOutput`): the same bytes with the same options reuse the SVG. */
  optionsHash: z.string(),
  sourceSha256: z.string(),
});

const vectorizeResult = z
  .object({
    mediaId: z.string().openapi({ description: "The SVG's media id (same as svgMediaId)" }),
    svgMediaId: z.string(),
    sourceMediaId: z.string().optional(),
    bytes: z.number().optional(),
    paths: z.number().optional(),
    points: z.number().optional(),
    colors: z.number().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    downscaled: z.boolean().optional(),
    cached: z.literal(true).optional().openapi({ description: "Answered from an earlier job's SVG" }),
    fromJobId: z.string().optional(),
  })
  .openapi("VectorizeJobResult");

/**
 * One vectorize job: read the source blob from R2, decode and trace it with the WASM tracer, and
 * store the SVG as a new media item beside the source. The SVG row, the cache entry and the quota
 * change are committed in the job's success batch, so a retried or duplicated delivery can never
 * leave two SVGs (see `succeedJob`).
 */
export const vectorizeJob = defineJobType({
  name: "vectorize",
  input: vectorizeInput,
  result: vectorizeResult,
  queue: (env) => env.VECTORIZE_QUEUE,
  cost: (_input, env) => vectorizeConfig(env).creditCost,
  permanentCommitError: (error) =>
    isQuotaError(error)
      ? { code: "quota_exceeded", message: "Storing the result would take you over your storage quota." }
      : undefined,
  async handler(ctx) {
    const { env, db, claim, input } = ctx;

    await ctx.step({ stage: "downloading", done: 0, total: 5, percent: 5 });
    const source = await db.select().from(media).where(eq(media.id, input.mediaId)).get();
    if (!source || source.ownerId !== claim.job.userId) {
      throw new PermanentJobError("source_missing", "The image was deleted before it could be vectorized.");
    }
    const object = await env.MEDIA.get(blobKey(source.sha256));
    if (!object) throw new PermanentJobError("source_missing", "The image's bytes are gone from storage.");
    const bytes = new Uint8Array(await object.arrayBuffer());

    await ctx.step({ stage: "decoding", done: 1, total: 5, percent: 20 });
    let traced: Awaited<ReturnType<ReturnType<typeof getTracer>["traceImage"]>>;
    try {
      const cap = vectorizeConfig(env).maxInputPixels;
      const maxInputPixels = Math.min(input.options.maxInputPixels ?? cap, cap);
      traced = await getTracer().traceImage(bytes, { ...input.options, maxInputPixels });
    } catch (error) {
      if (isTraceError(error)) throw new PermanentJobError(error.code, error.message);
      throw error;
    }

    await ctx.step({ stage: "writing", done: 4, total: 5, percent: 90 });
    const svgBytes = new TextEncoder().encode(traced.svg);
    const sha256 = await sha256Hex(svgBytes);
    await env.MEDIA.put(blobKey(sha256), svgBytes, {
      httpMetadata: { contentType: "image/svg+xml" },
      sha256,
    });
    const now = ctx.now();
    const { row, statements } = mediaInsertStatements(
      db,
      {
        ownerId: claim.job.userId,
        name: svgNameFor(source.name),
        folder: source.folder,
        tags: [...new Set([...source.tags, "vectorized"])],
        mime: "image/svg+xml",
        kind: "image",
        size: svgBytes.byteLength,
        sha256,
        width: traced.stats.width,
        height: traced.stats.height,
      },
      now,
    );
    const cacheEntry = rawInBatch(
      db,
      sql`INSERT INTO vectorize_outputs (job_id, owner_id, source_media_id, source_sha256, options_hash, svg_media_id, created_at)
        VALUES (${claim.job.id}, ${claim.job.userId}, ${source.id}, ${input.sourceSha256}, ${input.optionsHash}, ${row.id}, ${now.toISOString()})
        ON CONFLICT (owner_id, source_sha256, options_hash) DO UPDATE SET job_id = excluded.job_id, svg_media_id = excluded.svg_media_id`,
    );
    const { stats } = traced;
    return {
      result: {
        mediaId: row.id,
        svgMediaId: row.id,
        sourceMediaId: source.id,
        bytes: stats.bytes,
        paths: stats.paths,
        points: stats.points,
        colors: stats.colors,
        width: stats.width,
        height: stats.height,
        downscaled: stats.downscaled,
      },
      domain: [...statements, cacheEntry],
      stageTimings: { ...stats.ms },
      cleanup: () => discardBlobIfUnreferenced(db, env.MEDIA, sha256),
    };
  },
});

/** Many images at once: a group job whose children are `vectorize` jobs, one per image. */
export const vectorizeBatchJob = defineGroupJobType({
  name: "vectorize-batch",
  input: z.object({ mediaIds: z.array(z.string()), options: traceOptionsSchema }),
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
