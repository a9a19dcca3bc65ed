import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, getDb, isConstraintError } from "../db/client";
import type { JobProgress, JobType } from "../db/jobs-schema";
import { outbox } from "../db/schema";
import { isQuotaError } from "../media/library";
import {
  backoffSeconds,
  type Claim,
  claimJob,
  continueJob,
  failJob,
  finishCancelled,
  getJobRow,
  heartbeat,
  JobCancelled,
  refreshParentJob,
  releaseForRetry,
  strandedJobs,
  succeedJob,
} from "./lifecycle";
import { messageFor, progressMessage, publish } from "./progress";
import { toJobView } from "./views";

/** An input that can never succeed (corrupt image, over limits, bad options): fail at once, no retry. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface JobContext {
  env: Env;
  db: Db;
  claim: Claim;
  now(): Date;
  /** Stage boundary: publishes progress, extends the lease, and throws if the job was cancelled. */
  step(progress: JobProgress): Promise<void>;
}

export interface JobOutcome {
  result: Record<string, unknown>;
  /** Statements that store the result, run in the same batch as the job's success. */
  domain?: BatchItem<"sqlite">[];
  stageTimings?: Record<string, number>;
  /** Undoes side effects outside D1 (e.g. a blob written to R2) when the result is not committed. */
  cleanup?: () => Promise<void>;
}

/**
 * A chunk of a long job is done but the job is not: `checkpoint` (the chunk's work and where to
 * resume) is committed in one lease-guarded batch with the job going back to `queued`, and a new
 * `{jobId}` message is sent. Each chunk is thus its own delivery with its own claim; a redelivered
 * message simply runs the chunk after the last committed checkpoint.
 */
export interface JobContinuation {
  continue: true;
  checkpoint: BatchItem<"sqlite">[];
  progress: JobProgress;
}

export type JobHandler = (ctx: JobContext) => Promise<JobOutcome | JobContinuation>;

export interface RunnerOptions {
  handlers: Partial<Record<JobType, JobHandler>>;
  clock?: () => Date;
  retryBaseSeconds?: number;
}

/** `{ jobId }` is all a queue message carries; the job's state lives in D1. */
function jobIdOf(body: unknown): string | null {
  if (body && typeof body === "object" && "jobId" in body && typeof body.jobId === "string")
    return body.jobId;
  return null;
}

/**
 * Consumes a batch of job messages. At-least-once delivery is absorbed by the claim: a message for
 * a finished job, or one another consumer holds a live lease on, is acked and changes nothing.
 * Transient errors retry with capped exponential backoff and jitter; when the queue runs out of
 * retries the message lands in the dead-letter queue (see `handleDeadLetters`).
 */
export async function runJobBatch(batch: MessageBatch, env: Env, options: RunnerOptions): Promise<void> {
  const db = getDb(env.DB);
  const clock = options.clock ?? (() => new Date());
  for (const message of batch.messages) {
    const jobId = jobIdOf(message.body);
    if (!jobId) {
      console.log(
        JSON.stringify({
          level: "error",
          event: "job_message_malformed",
          queue: batch.queue,
          id: message.id,
        }),
      );
      message.ack();
      continue;
    }
    const claim = await claimJob(db, jobId, clock());
    if (!claim) {
      message.ack();
      continue;
    }
    const handler = options.handlers[claim.job.type];
    if (!handler) {
      await failJob(
        db,
        { claim },
        { code: "unsupported_job", message: `No worker for ${claim.job.type} jobs.` },
        clock(),
      );
      await publishCurrent(env, db, jobId, clock());
      message.ack();
      continue;
    }
    const stageTimings: Record<string, number> = {};
    let stageStarted = Date.now();
    let currentStage = "claimed";
    const ctx: JobContext = {
      env,
      db,
      claim,
      now: clock,
      async step(progress) {
        stageTimings[currentStage] = (stageTimings[currentStage] ?? 0) + (Date.now() - stageStarted);
        currentStage = progress.stage;
        stageStarted = Date.now();
        await heartbeat(db, claim, progress, clock());
        await publish(env, jobId, progressMessage(progress));
      },
    };
    try {
      const outcome = await handler(ctx);
      stageTimings[currentStage] = (stageTimings[currentStage] ?? 0) + (Date.now() - stageStarted);
      if ("continue" in outcome) {
        const continued = await continueJob(db, claim, outcome.progress, clock(), {
          checkpoint: outcome.checkpoint,
          stageTimings,
        }).catch((error) => {
          throw permanentIfConstraint(error);
        });
        if (continued) {
          await enqueueJobs(env, db, [{ id: jobId, type: claim.job.type }], clock());
          await publish(env, jobId, progressMessage(outcome.progress));
        } else {
          // Still ours but not continued: a cancel was asked for meanwhile. Otherwise the lease was lost.
          const now = await getJobRow(db, jobId);
          if (now?.leaseOwner === claim.owner && now.cancelRequestedAt) throw new JobCancelled();
        }
        message.ack();
        continue;
      }
      const committed = await succeedJob(db, claim, outcome.result, clock(), {
        domain: outcome.domain,
        stageTimings: { ...stageTimings, ...outcome.stageTimings },
      }).catch(async (error) => {
        await outcome.cleanup?.();
        throw permanentIfConstraint(error);
      });
      if (!committed) await outcome.cleanup?.();
      message.ack();
    } catch (error) {
      if (error instanceof JobCancelled) {
        await finishCancelled(db, claim, clock());
        message.ack();
      } else if (error instanceof PermanentJobError) {
        await failJob(db, { claim }, { code: error.code, message: error.message }, clock(), stageTimings);
        message.ack();
      } else {
        const reason = error instanceof Error ? error.message : String(error);
        console.log(
          JSON.stringify({
            level: "warn",
            event: "job_attempt_failed",
            jobId,
            attempt: claim.attempt,
            error: reason,
          }),
        );
        await releaseForRetry(db, claim, { code: "transient_error", message: reason }, clock(), stageTimings);
        message.retry({ delaySeconds: backoffSeconds(message.attempts, options.retryBaseSeconds ?? 10) });
      }
    }
    await publishCurrent(env, db, jobId, clock());
  }
}

/** A CHECK constraint (e.g. the storage quota) refusing the result will refuse it on every retry too. */
function permanentIfConstraint(error: unknown): unknown {
  if (isQuotaError(error)) {
    return new PermanentJobError(
      "quota_exceeded",
      "Storing the result would take you over your storage quota.",
    );
  }
  if (isConstraintError(error, /CHECK constraint failed/)) {
    return new PermanentJobError("constraint_failed", "The result could not be stored.");
  }
  return error;
}

/** The dead-letter queue's consumer: the job ran out of attempts; it fails with a readable reason. */
export async function handleDeadLetters(
  batch: MessageBatch,
  env: Env,
  clock: () => Date = () => new Date(),
): Promise<void> {
  const db = getDb(env.DB);
  for (const message of batch.messages) {
    const jobId = jobIdOf(message.body);
    if (jobId) {
      const job = await getJobRow(db, jobId);
      if (job && (job.status === "queued" || job.status === "running")) {
        const last = job.errorMessage ? ` The last error was: ${job.errorMessage}` : "";
        await failJob(
          db,
          { jobId },
          { code: "attempts_exhausted", message: `Gave up after ${job.attempts} attempts.${last}` },
          clock(),
        );
        await publishCurrent(env, db, jobId, clock());
      }
    }
    message.ack();
  }
}

/** Tells watchers a job's new state, and rolls a child's change up into its batch parent. */
async function publishCurrent(env: Env, db: Db, jobId: string, now: Date): Promise<void> {
  const job = await getJobRow(db, jobId);
  if (!job || job.status === "running") return;
  await publish(env, jobId, messageFor(toJobView(job)));
  if (job.parentId) {
    await refreshParentJob(db, job.parentId, now);
    const parent = await getJobRow(db, job.parentId);
    if (parent) await publish(env, parent.id, messageFor(toJobView(parent)));
  }
}

/** The queue each job type runs on. */
export function queueFor(env: Env, type: JobType): Queue {
  return type === "organize" ? env.ORGANIZE_QUEUE : env.VECTORIZE_QUEUE;
}

/**
 * Sends `{jobId}` for jobs just created, then marks their outbox rows delivered. If the send fails
 * the rows stay pending and the scheduled relay sends them later: a job is never stranded.
 */
export async function enqueueJobs(
  env: Env,
  db: Db,
  created: { id: string; type: JobType }[],
  now: Date,
): Promise<void> {
  if (created.length === 0) return;
  try {
    for (const type of new Set(created.map((j) => j.type))) {
      const ofType = created.filter((j) => j.type === type);
      for (let i = 0; i < ofType.length; i += 100) {
        await queueFor(env, type).sendBatch(ofType.slice(i, i + 100).map((j) => ({ body: { jobId: j.id } })));
      }
    }
  } catch (error) {
    console.log(JSON.stringify({ level: "warn", event: "enqueue_failed", error: String(error) }));
    return;
  }
  await markJobEventsDelivered(
    db,
    created.map((j) => j.id),
    now,
  );
}

async function markJobEventsDelivered(db: Db, jobIds: string[], now: Date) {
  for (let i = 0; i < jobIds.length; i += 50) {
    await db
      .update(outbox)
      .set({ deliveredAt: now.toISOString() })
      .where(
        and(
          eq(outbox.topic, "job.created"),
          isNull(outbox.deliveredAt),
          inArray(sql`json_extract(${outbox.payload}, '$.jobId')`, jobIds.slice(i, i + 50)),
        ),
      );
  }
}

/**
 * Scheduled: resend job messages the outbox still holds (older than a minute, so the request that
 * made them had its chance), and hand stranded jobs (see `strandedJobs`) back to their queue.
 */
export async function recoverJobs(env: Env, now: Date): Promise<{ relayed: number; recovered: number }> {
  const db = getDb(env.DB);
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  const pending = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.topic, "job.created"), isNull(outbox.deliveredAt), lt(outbox.createdAt, minuteAgo)))
    .limit(500)
    .all();
  const relay = pending.map((row) => ({ id: String(row.payload.jobId), type: row.payload.type as JobType }));
  await enqueueJobs(env, db, relay, now);
  const stale = await strandedJobs(db, now);
  for (const type of new Set(stale.map((j) => j.type))) {
    await queueFor(env, type).sendBatch(
      stale.filter((j) => j.type === type).map((j) => ({ body: { jobId: j.id } })),
    );
  }
  return { relayed: relay.length, recovered: stale.length };
}
