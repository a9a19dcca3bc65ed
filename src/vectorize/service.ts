import { and, eq, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import { type Db, getDb } from "../db/client";
import { type Job, vectorizeOutputs } from "../db/jobs-schema";
import { type Media, media } from "../db/schema";
import { ApiError } from "../errors";
import { isInsufficientCredits } from "../jobs/credits";
import { enqueueJobs } from "../jobs/dispatch";
import { refreshGroupJob } from "../jobs/groups";
import { type CreatedJob, createJobStatements, getJobRow } from "../jobs/lifecycle";
import { sha256Hex } from "../lib/crypto";
import { blobKey } from "../media/blob-store";
import { getOwned } from "../media/library";
import { getTracer, isTraceError, resolveOptions, type TraceOptions } from "../wasm";
import { type VectorizeConfig, vectorizeConfig } from "./config";
import { vectorizeBatchJob, vectorizeJob } from "./job";

export const TRACEABLE = new Set(["image/png", "image/jpeg", "image/webp"]);

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

/**
 * Creates vectorize jobs in one batch and sends their messages: each job, its credit reservation
 * (refused as a whole when the balance can't cover all of them) and its outbox row; a cache hit
 * becomes a job that is already succeeded. For more than one image, a group job holds the children.
 * Answers with the single job, or the group. Option combinations only the tracer can judge are 422s.
 */
export async function startVectorize(
  env: Env,
  principal: Principal,
  request: VectorizeRequest,
  now: Date,
): Promise<Job> {
  const db = getDb(env.DB);
  const config = vectorizeConfig(env);
  try {
    resolveOptions(request.options);
  } catch (error) {
    if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
    throw error;
  }
  const hash = await optionsHash(request.options);
  const sources = [];
  for (const id of request.mediaIds) sources.push(await traceableSource(db, principal.userId, id, config));

  const group =
    request.mediaIds.length > 1
      ? createJobStatements(
          db,
          env,
          {
            type: vectorizeBatchJob,
            userId: principal.userId,
            input: { mediaIds: request.mediaIds, options: request.options },
          },
          now,
        )
      : null;
  const created: CreatedJob[] = group ? [group] : [];
  for (const source of sources) {
    const hit = await cachedOutput(db, principal.userId, source.sha256, hash);
    created.push(
      createJobStatements(
        db,
        env,
        {
          type: vectorizeJob,
          userId: principal.userId,
          input: {
            mediaId: source.id,
            options: request.options,
            optionsHash: hash,
            sourceSha256: source.sha256,
          },
          parentId: group?.id ?? null,
          settled: hit
            ? {
                result: {
                  mediaId: hit.svgMediaId,
                  svgMediaId: hit.svgMediaId,
                  cached: true,
                  fromJobId: hit.jobId,
                },
                creditCost: config.cacheHitCost,
              }
            : undefined,
        },
        now,
      ),
    );
  }

  try {
    await db.batch(created.flatMap((c) => c.statements) as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
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
  if (group) await refreshGroupJob(db, vectorizeBatchJob, group.id, now);
  // Read before the messages go out: the answer shows the job as created, not as a consumer took it.
  const job = (await getJobRow(db, created[0]!.id))!;
  await enqueueJobs(
    env,
    db,
    created.flatMap((c) => c.delivery),
    now,
  );
  return job;
}

/**
 * `?sync=true`: traces a small image in the request and answers the SVG (not stored, no job, no
 * credits). Larger images must be queued.
 */
export async function traceNow(env: Env, principal: Principal, mediaId: string, options: TraceOptions) {
  const config = vectorizeConfig(env);
  const source = await traceableSource(getDb(env.DB), principal.userId, mediaId, config);
  const pixels = (source.width ?? 0) * (source.height ?? 0);
  if (pixels > config.syncMaxPixels) {
    throw new ApiError(
      413,
      "too_large_for_sync",
      `Synchronous tracing takes up to ${config.syncMaxPixels} pixels; queue a job instead.`,
    );
  }
  const object = await env.MEDIA.get(blobKey(source.sha256));
  if (!object) throw new ApiError(404, "not_found", "The image's bytes are gone.");
  try {
    return await getTracer().traceImage(new Uint8Array(await object.arrayBuffer()), options);
  } catch (error) {
    if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
    throw error;
  }
}
