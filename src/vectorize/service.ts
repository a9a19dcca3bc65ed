import { and, eq, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import type { Db } from "../db/client";
import { type Job, jobs, vectorizeOutputs } from "../db/jobs-schema";
import { type Media, media } from "../db/schema";
import { ApiError } from "../errors";
import { isInsufficientCredits } from "../jobs/credits";
import { createJobStatements, refreshParentJob } from "../jobs/lifecycle";
import { sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { getOwned } from "../media/library";
import { resolveOptions, type TraceOptions } from "../wasm/shared";

export const TRACEABLE = new Set(["image/png", "image/jpeg", "image/webp"]);

export interface VectorizeConfig {
  /** Credits one vectorize job costs. */
  creditCost: number;
  /** What a cache hit (same bytes, same options) costs; 0 by default. */
  cacheHitCost: number;
  /**
   * Largest image (width × height) accepted for tracing at all. Decoding 16 MP needs ~64 MB in the
   * codec plus a copy, too much for a 128 MB isolate, so the default is 8 MP (larger ones are then
   * traced downscaled to the tracer's `maxPixels`, 4 MP).
   */
  maxInputPixels: number;
  /** Largest image traced synchronously with `?sync=true`. */
  syncMaxPixels: number;
  /** A job whose reservation takes the balance below this sends the "low credits" mail. */
  lowCreditsThreshold: number;
}

export function vectorizeConfig(env: Env): VectorizeConfig {
  const vars = env as unknown as Record<string, string | undefined>;
  const num = (v: string | undefined, fallback: number) =>
    v === undefined || v === "" ? fallback : Number(v);
  return {
    creditCost: num(vars.VECTORIZE_CREDIT_COST, 1),
    cacheHitCost: num(vars.VECTORIZE_CACHE_HIT_COST, 0),
    maxInputPixels: num(vars.VECTORIZE_MAX_INPUT_PIXELS, 8_388_608),
    syncMaxPixels: num(vars.VECTORIZE_SYNC_MAX_PIXELS, 1_048_576),
    lowCreditsThreshold: num(vars.LOW_CREDITS_THRESHOLD, 10),
  };
}

/** The same options always hash the same, whatever order or defaults the caller wrote them in. */
export async function optionsHash(options: TraceOptions): Promise<string> {
  return sha256Hex(JSON.stringify(resolveOptions(options)));
}

/** The caller's raster image that can be traced, or a clear 4xx. */
export async function traceableSource(
  db: Db,
  ownerId: string,
  mediaId: string,
  config: VectorizeConfig,
): Promise<Media> {
  const source = await getOwned(db, ownerId, mediaId);
  if (source.trashedAt)
    throw new ApiError(409, "media_trashed", "Restore the file from the trash before vectorizing it.");
  if (!TRACEABLE.has(source.mime)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Only PNG, JPEG and WebP can be vectorized, not ${source.mime}.`,
    );
  }
  const pixels = (source.width ?? 0) * (source.height ?? 0);
  if (pixels > config.maxInputPixels) {
    throw new ApiError(
      413,
      "too_many_pixels",
      `The image has ${pixels} pixels; at most ${config.maxInputPixels} can be vectorized.`,
    );
  }
  return source;
}

/** An earlier SVG of the same bytes with the same options that still exists, if any. */
export async function cachedOutput(db: Db, ownerId: string, sourceSha256: string, hash: string) {
  return db
    .select({ svgMediaId: vectorizeOutputs.svgMediaId, jobId: vectorizeOutputs.jobId })
    .from(vectorizeOutputs)
    .innerJoin(media, and(eq(media.id, vectorizeOutputs.svgMediaId), isNull(media.trashedAt)))
    .where(
      and(
        eq(vectorizeOutputs.ownerId, ownerId),
        eq(vectorizeOutputs.sourceSha256, sourceSha256),
        eq(vectorizeOutputs.optionsHash, hash),
      ),
    )
    .get();
}

export interface VectorizeRequest {
  mediaIds: string[];
  options: TraceOptions;
}

export interface CreatedJobs {
  /** The job to answer with: the single job, or the batch's parent. */
  job: Job;
  /** Jobs that need a queue message. */
  toEnqueue: { id: string; type: "vectorize" }[];
}

/**
 * Creates vectorize jobs in one batch: each job, its credit reservation (refused as a whole when the
 * balance can't cover all of them) and its outbox row; a cache hit becomes a job that is already
 * succeeded. For more than one image, a parent job groups the children.
 */
export async function createVectorizeJobs(
  db: Db,
  principal: Principal,
  request: VectorizeRequest,
  config: VectorizeConfig,
  now: Date,
): Promise<CreatedJobs> {
  resolveOptions(request.options);
  const hash = await optionsHash(request.options);
  const nowIso = now.toISOString();
  const sources = [];
  for (const id of request.mediaIds) sources.push(await traceableSource(db, principal.userId, id, config));

  const isBatch = request.mediaIds.length > 1;
  const parentId = isBatch ? newId("job") : null;
  const statements: BatchItem<"sqlite">[] = [];
  const toEnqueue: { id: string; type: "vectorize" }[] = [];
  let single: string | null = null;

  if (parentId) {
    statements.push(
      db.insert(jobs).values({
        id: parentId,
        userId: principal.userId,
        type: "vectorize-batch",
        status: "running",
        input: { mediaIds: request.mediaIds, options: request.options },
        progress: { stage: "tracing", done: 0, total: sources.length, percent: 0 },
        createdAt: nowIso,
        startedAt: nowIso,
        updatedAt: nowIso,
      }),
    );
  }
  for (const source of sources) {
    const hit = await cachedOutput(db, principal.userId, source.sha256, hash);
    const input = {
      mediaId: source.id,
      options: request.options,
      optionsHash: hash,
      sourceSha256: source.sha256,
    };
    const created = createJobStatements(
      db,
      {
        userId: principal.userId,
        type: "vectorize",
        input,
        creditCost: hit ? config.cacheHitCost : config.creditCost,
        parentId,
        needsDelivery: !hit,
        lowCreditsThreshold: config.lowCreditsThreshold,
      },
      now,
    );
    statements.push(...created.statements);
    if (hit) {
      statements.push(
        db
          .update(jobs)
          .set({
            status: "succeeded",
            result: {
              mediaId: hit.svgMediaId,
              svgMediaId: hit.svgMediaId,
              cached: true,
              fromJobId: hit.jobId,
            },
            progress: { stage: "done", done: 1, total: 1, percent: 100 },
            startedAt: nowIso,
            finishedAt: nowIso,
          })
          .where(eq(jobs.id, created.id)),
      );
    } else {
      toEnqueue.push({ id: created.id, type: "vectorize" });
    }
    single ??= created.id;
  }

  const answerId = parentId ?? single!;
  try {
    await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (error) {
    if (isInsufficientCredits(error)) {
      throw new ApiError(
        402,
        "insufficient_credits",
        `Not enough credits: this needs ${sources.length * config.creditCost}.`,
      );
    }
    throw error;
  }
  if (parentId) await refreshParentJob(db, parentId, now);
  const job = (await db.select().from(jobs).where(eq(jobs.id, answerId)).get())!;
  return { job, toEnqueue };
}
