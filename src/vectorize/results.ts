/**
 * A finished vectorize job's result in any format (issue 16, points 3 and 5), written from its stored
 * trace without tracing again. The SVG comes with the job; every other format of a retained result
 * costs `formatCreditCost` once per job and format (a `charge` ledger row keyed by job and format, so
 * unlocking again is free); test results are free in every format (they carry the watermark).
 * Results are retained `resultRetentionDays` after the job finished.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import { creditBalance } from "../auth/accounts";
import { getDb, isConstraintError } from "../db/client";
import type { Job } from "../db/jobs-schema";
import { ApiError } from "../errors";
import { chargeCredits, isInsufficientCredits, wasCharged } from "../jobs/credits";
import { getVisibleJob } from "../jobs/queries";
import { type VectorizeConfig, vectorizeConfig } from "./config";
import type { VectorizeResult } from "./job";
import { resultNameFor } from "./names";
import type { Pricing, VectorizeOptions } from "./options";
import { RESULT_FORMATS, type Rendered, type ResultFormat, renderFormat } from "./render";
import { getVectorDoc } from "./store";

const DAY_MS = 86_400_000;

interface FinishedJob {
  job: Job;
  result: VectorizeResult & { vectorSha256: string };
  pricing: Pricing;
  retainedUntil: Date;
}

/** The caller's succeeded vectorize job with a stored trace, within its retention. */
async function finishedJob(
  db: ReturnType<typeof getDb>,
  config: VectorizeConfig,
  principal: Principal,
  jobId: string,
  now: Date,
): Promise<FinishedJob> {
  const job = await getVisibleJob(db, principal, jobId);
  if (job.type !== "vectorize") throw new ApiError(404, "not_found", "That job has no vector result.");
  if (job.status !== "succeeded")
    throw new ApiError(
      409,
      "job_not_succeeded",
      `The job is ${job.status}; its result exists once it succeeded.`,
    );
  const result = job.result as VectorizeResult | null;
  if (!result?.vectorSha256)
    throw new ApiError(
      409,
      "result_unavailable",
      "This job's result was made before results were stored for other formats; vectorize the image again.",
    );
  const retainedUntil = new Date(
    Date.parse(job.finishedAt ?? job.createdAt) + config.resultRetentionDays * DAY_MS,
  );
  if (now > retainedUntil)
    throw new ApiError(
      410,
      "result_expired",
      `Results are kept ${config.resultRetentionDays} days; vectorize the image again.`,
    );
  const pricing = ((job.input as { pricing?: Pricing }).pricing ?? "production") as Pricing;
  return { job, result: result as FinishedJob["result"], pricing, retainedUntil };
}

const chargeRef = (jobId: string, format: ResultFormat) => `${jobId}:format:${format}`;

/** What a format costs for this job (0 when it comes with it). */
function formatPrice(config: VectorizeConfig, pricing: Pricing, format: ResultFormat): number {
  if (format === "svg" || pricing === "test") return 0;
  return config.formatCreditCost;
}

export interface FormatOffer {
  format: ResultFormat;
  /** credits it costs now: 0 when included or already unlocked */
  price: number;
  unlocked: boolean;
}

/** Every format of the job's result with its price, shown before the user confirms a download. */
export async function jobFormats(env: Env, principal: Principal, jobId: string, now: Date) {
  const db = getDb(env.DB);
  const config = vectorizeConfig(env);
  const f = await finishedJob(db, config, principal, jobId, now);
  const formats: FormatOffer[] = [];
  for (const format of RESULT_FORMATS) {
    const price = formatPrice(config, f.pricing, format);
    const unlocked = price === 0 || (await wasCharged(db, f.job.userId, chargeRef(jobId, format)));
    formats.push({ format, price: unlocked ? 0 : price, unlocked });
  }
  return { formats, pricing: f.pricing, retainedUntil: f.retainedUntil.toISOString() };
}

/** Unlocks a format (the job's owner only): charges its price once; again, it costs nothing. */
export async function unlockFormat(
  env: Env,
  principal: Principal,
  jobId: string,
  format: ResultFormat,
  now: Date,
) {
  const db = getDb(env.DB);
  const config = vectorizeConfig(env);
  const f = await finishedJob(db, config, principal, jobId, now);
  if (f.job.userId !== principal.userId)
    throw new ApiError(403, "forbidden", "Only the job's owner can unlock its formats.");
  const price = formatPrice(config, f.pricing, format);
  const ref = chargeRef(jobId, format);
  let charged = 0;
  if (price > 0 && !(await wasCharged(db, principal.userId, ref))) {
    const statements = chargeCredits(db, principal.userId, ref, price, now.toISOString());
    try {
      await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
      charged = price;
    } catch (error) {
      if (isInsufficientCredits(error))
        throw new ApiError(402, "insufficient_credits", `Not enough credits: the ${format} costs ${price}.`);
      // a parallel unlock of the same format charged it first (the ledger's ref is unique)
      if (!isConstraintError(error, /UNIQUE/)) throw error;
    }
  }
  return {
    format,
    charged,
    unlocked: true as const,
    credits: await creditBalance(db, principal.userId),
  };
}

/** The result in `format`, or 402 while that format is not unlocked. */
export async function resultFile(
  env: Env,
  principal: Principal,
  jobId: string,
  format: ResultFormat,
  options: { width?: number },
  now: Date,
): Promise<Rendered & { filename: string }> {
  const db = getDb(env.DB);
  const config = vectorizeConfig(env);
  const f = await finishedJob(db, config, principal, jobId, now);
  const price = formatPrice(config, f.pricing, format);
  if (price > 0 && !(await wasCharged(db, f.job.userId, chargeRef(jobId, format))))
    throw new ApiError(
      402,
      "format_locked",
      `The ${format} of this result costs ${price} credit${price === 1 ? "" : "s"}: unlock it with POST /api/v1/jobs/${jobId}/formats/${format}.`,
    );
  const doc = await getVectorDoc(env.MEDIA, f.result.vectorSha256);
  if (!doc)
    throw new ApiError(410, "result_expired", "The stored result is gone; vectorize the image again.");
  const rendered = await renderFormat(doc, format, options);
  const input = f.job.input as { options?: VectorizeOptions };
  const svgName = f.result.name ?? resultNameFor("image", input.options ?? {}, f.pricing);
  return { ...rendered, filename: svgName.replace(/\.svg$/, `.${format}`) };
}
