import { and, eq, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import { creditBalance } from "../auth/accounts";
import { type Db, getDb } from "../db/client";
import { type Job, vectorizeOutputs } from "../db/jobs-schema";
import { type Media, media } from "../db/schema";
import { ApiError } from "../errors";
import { type CreatedJob, createJobStatements } from "../jobs/create";
import { chargeCredits, isInsufficientCredits } from "../jobs/credits";
import { enqueueJobs } from "../jobs/dispatch";
import { refreshGroupJob } from "../jobs/groups";
import { getJobRow } from "../jobs/lifecycle";
import { sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { blobObjectKey } from "../media/blob-store";
import { getOwned } from "../media/library";
import { getTracer, isTraceError, resolveOptions } from "../wasm";
import { jobCost, type VectorizeConfig, vectorizeConfig } from "./config";
import { type VectorizeResult, vectorizeBatchJob, vectorizeJob } from "./job";
import { type Pricing, traceOptionsOf, type VectorizeOptions } from "./options";
import { type BestTrace, baseOptions, finalResult, traceBest } from "./trace";

export const TRACEABLE = new Set(["image/png", "image/jpeg", "image/webp"]);

const insufficientCredits = (needed: number) =>
  new ApiError(402, "insufficient_credits", `Not enough credits: this needs ${needed}.`);

/**
 * The same options always hash the same, whatever order or defaults the caller wrote them in; the
 * target and the pricing are part of the key (a test result is watermarked, a preview reduced).
 */
export async function optionsHash(options: VectorizeOptions, pricing: Pricing): Promise<string> {
  const key: Record<string, unknown> = { ...resolveOptions(traceOptionsOf(options)) };
  if (options.target) key.target = { minSSIM: options.target.minSSIM, maxBytes: options.target.maxBytes };
  if (pricing !== "production") key.pricing = pricing;
  return sha256Hex(JSON.stringify(key));
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
  options: VectorizeOptions;
  pricing: Pricing;
}

/**
 * What a cache hit reports: the earlier job's real figures (size, paths, colours, quality, the stored
 * trace), marked as cached. A hit on a job from before these figures existed reports what the SVG
 * row knows (its size).
 */
async function cachedResult(db: Db, hit: { svgMediaId: string; jobId: string }): Promise<VectorizeResult> {
  const earlier = (await getJobRow(db, hit.jobId))?.result as VectorizeResult | undefined;
  const svg = await db
    .select({ size: media.size, name: media.name })
    .from(media)
    .where(eq(media.id, hit.svgMediaId))
    .get();
  const { cached: _c, fromJobId: _f, ...figures } = earlier ?? ({} as Partial<VectorizeResult>);
  return {
    ...figures,
    bytes: figures.bytes ?? svg?.size,
    name: svg?.name ?? figures.name,
    mediaId: hit.svgMediaId,
    svgMediaId: hit.svgMediaId,
    cached: true,
    fromJobId: hit.jobId,
  };
}

/**
 * What quoting and starting a request both check first: options the tracer accepts (else 422) and
 * every image one the caller may trace (in order; the first that is not stops it). With the
 * options' cache key.
 */
async function checkedRequest(env: Env, principal: Principal, request: VectorizeRequest) {
  const db = getDb(env.DB);
  const config = vectorizeConfig(env);
  try {
    resolveOptions(traceOptionsOf(request.options));
  } catch (error) {
    if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
    throw error;
  }
  const hash = await optionsHash(request.options, request.pricing);
  const sources = [];
  for (const id of request.mediaIds) sources.push(await traceableSource(db, principal.userId, id, config));
  return { db, config, hash, sources };
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
  const { db, config, hash, sources } = await checkedRequest(env, principal, request);

  const group =
    request.mediaIds.length > 1
      ? createJobStatements(
          db,
          env,
          {
            type: vectorizeBatchJob,
            userId: principal.userId,
            input: { mediaIds: request.mediaIds, options: request.options, pricing: request.pricing },
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
            pricing: request.pricing,
          },
          parentId: group?.id ?? null,
          settled: hit
            ? {
                result: await cachedResult(db, hit),
                creditCost: request.pricing === "test" ? 0 : config.cacheHitCost,
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
    if (isInsufficientCredits(error))
      throw insufficientCredits(sources.length * jobCost(config, request.pricing));
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
 * `?sync=true`: traces a small image in the request and answers the SVG (not stored, no job).
 * It costs what a job costs, through the ledger: refused with 402 before tracing when the balance
 * can't cover it, and charged once the SVG exists — in one guarded batch, so parallel requests
 * can't together spend more than the balance (the loser's trace is discarded, never given away).
 * Larger images must be queued.
 */
export async function traceNow(
  env: Env,
  principal: Principal,
  mediaId: string,
  options: VectorizeOptions,
  pricing: Pricing,
  now: Date,
) {
  const config = vectorizeConfig(env);
  const db = getDb(env.DB);
  const source = await traceableSource(db, principal.userId, mediaId, config);
  const pixels = (source.width ?? 0) * (source.height ?? 0);
  if (pixels > config.syncMaxPixels) {
    throw new ApiError(
      413,
      "too_large_for_sync",
      `Synchronous tracing takes up to ${config.syncMaxPixels} pixels; queue a job instead.`,
    );
  }
  const cost = jobCost(config, pricing);
  if ((await creditBalance(db, principal.userId)) < cost) throw insufficientCredits(cost);
  const key = await blobObjectKey(db, source.sha256);
  const object = key && (await env.MEDIA.get(key));
  if (!object) throw new ApiError(404, "not_found", "The image's bytes are gone.");
  let traced: BestTrace;
  try {
    traced = await traceBest(
      getTracer(),
      new Uint8Array(await object.arrayBuffer()),
      baseOptions(options, pricing, config),
      options.target,
      config.tuneAttempts,
    );
  } catch (error) {
    if (isTraceError(error)) throw new ApiError(422, error.code, error.message);
    throw error;
  }
  const { svg } = finalResult(traced.result.svg, pricing);
  if (cost > 0) {
    try {
      await db.batch(
        chargeCredits(db, principal.userId, newId("trc"), cost, now.toISOString()) as [
          BatchItem<"sqlite">,
          ...BatchItem<"sqlite">[],
        ],
      );
    } catch (error) {
      if (isInsufficientCredits(error)) throw insufficientCredits(cost);
      throw error;
    }
  }
  return {
    svg,
    stats: { ...traced.result.stats, bytes: new TextEncoder().encode(svg).byteLength },
    quality: traced.quality,
  };
}

/**
 * The price of a vectorize request before it is made (issue 16, point 5): per image the job's cost,
 * or the cache-hit cost when the same bytes with the same options and pricing were traced before.
 * Checks what `startVectorize` checks; reserves nothing.
 */
export async function quoteVectorize(env: Env, principal: Principal, request: VectorizeRequest) {
  const { db, config, hash, sources } = await checkedRequest(env, principal, request);
  const items = [];
  for (const [i, id] of request.mediaIds.entries()) {
    const source = sources[i]!;
    const hit = await cachedOutput(db, principal.userId, source.sha256, hash);
    const cost = hit
      ? request.pricing === "test"
        ? 0
        : config.cacheHitCost
      : jobCost(config, request.pricing);
    items.push({ mediaId: id, cost, cached: Boolean(hit) });
  }
  const cost = items.reduce((sum, i) => sum + i.cost, 0);
  const credits = await creditBalance(db, principal.userId);
  return {
    pricing: request.pricing,
    cost,
    credits,
    enough: credits >= cost,
    formatCost: request.pricing === "test" ? 0 : config.formatCreditCost,
    items,
  };
}
