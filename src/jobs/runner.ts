import { HTTPException } from "hono/http-exception";
import { type Db, getDb, isConstraintError } from "../db/client";
import { enqueueJobs } from "./dispatch";
import {
  type Claim,
  claimJob,
  continueJob,
  failedAttempts,
  failJob,
  finishCancelled,
  getJobRow,
  heartbeat,
  JobCancelled,
  recordWriteTime,
  releaseForRetry,
  succeedJob,
} from "./lifecycle";
import { jobIdOf } from "./messages";
import { progressMessage, publish, publishCurrent } from "./progress";
import { backoffSeconds } from "./recovery";
import type { JobContext, JobRegistry, QueuedJobType } from "./registry";

/** An input that can never succeed (corrupt image, over limits, bad options): fail at once, no retry. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RunnerOptions {
  registry: JobRegistry;
  clock?: () => Date;
  retryBaseSeconds?: number;
  /** How long a claim holds a job without a heartbeat before another delivery may take it over. */
  leaseSeconds?: number;
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
    const claim = await claimJob(db, jobId, clock(), options.leaseSeconds);
    if (!claim) {
      message.ack();
      continue;
    }
    const continued = await runDelivery(env, claim, message, options, clock);
    // A continued job has just published its progress (continueClaimed); only a group needs telling.
    if (!continued || claim.job.parentId) await publishCurrent(env, db, options.registry, jobId, clock());
  }
}

/** The claimed job's type and its input as that type reads it, or why it can't run. */
function readJob(
  registry: JobRegistry,
  job: Claim["job"],
): { type: QueuedJobType; input: unknown } | { error: { code: string; message: string } } {
  const type = registry.get(job.type);
  if (type?.kind !== "queued")
    return { error: { code: "unsupported_job", message: `No worker for ${job.type} jobs.` } };
  const input = type.input.safeParse(job.input);
  if (!input.success)
    return {
      error: { code: "invalid_input", message: `The job's input no longer reads as a ${type.name} job.` },
    };
  return { type, input: input.data };
}

/**
 * A claimed job: failed when it can't run or its consumers keep dying, else run. True when it ran a
 * chunk and was continued (queued again with its progress published).
 */
async function runDelivery(
  env: Env,
  claim: Claim,
  message: Message,
  options: RunnerOptions,
  clock: () => Date,
): Promise<boolean> {
  const db = getDb(env.DB);
  const read = readJob(options.registry, claim.job);
  if ("error" in read) {
    await failJob(db, { claim }, read.error, clock());
    message.ack();
    return false;
  }
  // A job whose consumers keep dying (lost leases) ends here rather than being recovered forever.
  const lost = claim.failedBefore;
  if (lost >= claim.job.maxAttempts) {
    await failJob(db, { claim }, exhausted(lost, claim.job.errorMessage), clock());
    message.ack();
    return false;
  }
  return runClaimed(env, claim, read.type, read.input, message, options, clock);
}

/**
 * One delivery of a claimed job: run its handler, then commit, continue, cancel, fail or retry it.
 * True when it was continued.
 */
async function runClaimed(
  env: Env,
  claim: Claim,
  type: QueuedJobType,
  input: unknown,
  message: Message,
  options: RunnerOptions,
  clock: () => Date,
): Promise<boolean> {
  const db = getDb(env.DB);
  const jobId = claim.job.id;
  const stageTimings: Record<string, number> = {};
  let stageStarted = Date.now();
  let currentStage = "claimed";
  const ctx: JobContext = {
    env,
    db,
    claim,
    input,
    now: clock,
    async step(progress) {
      stageTimings[currentStage] = (stageTimings[currentStage] ?? 0) + (Date.now() - stageStarted);
      currentStage = progress.stage;
      stageStarted = Date.now();
      await heartbeat(db, claim, progress, clock(), options.leaseSeconds);
      await publish(env, jobId, progressMessage(progress));
    },
  };
  try {
    const outcome = await type.handler(ctx);
    stageTimings[currentStage] = (stageTimings[currentStage] ?? 0) + (Date.now() - stageStarted);
    let continued = false;
    if ("continue" in outcome)
      continued = await continueClaimed(env, claim, type, outcome, stageTimings, clock);
    else await commitClaimed(db, claim, type, outcome, stageTimings, clock);
    message.ack();
    return continued;
  } catch (thrown) {
    await onAttemptError(db, claim, asPermanent(thrown), message, stageTimings, options, clock);
    return false;
  }
}

type Outcome = Awaited<ReturnType<QueuedJobType["handler"]>>;

/**
 * A chunk done: the job's checkpoint stored, its next message sent and its progress published (true),
 * unless it was cancelled meanwhile or its lease lost (false).
 */
async function continueClaimed(
  env: Env,
  claim: Claim,
  type: QueuedJobType,
  outcome: Extract<Outcome, { continue: unknown }>,
  stageTimings: Record<string, number>,
  clock: () => Date,
): Promise<boolean> {
  const db = getDb(env.DB);
  const jobId = claim.job.id;
  const writeStarted = Date.now();
  const continued = await continueJob(db, claim, outcome.progress, clock(), {
    checkpoint: outcome.checkpoint,
    stageTimings,
  }).catch((error) => {
    throw permanentIfUnstorable(error, type);
  });
  if (continued) {
    // The chunk's own D1 write, measured around the batch (the attempt's duration ends before it).
    await recordWriteTime(db, claim, Date.now() - writeStarted);
    await enqueueJobs(env, db, [{ id: jobId, type }], clock());
    await publish(env, jobId, progressMessage(outcome.progress));
    return true;
  }
  // Still ours but not continued: a cancel was asked for meanwhile. Otherwise the lease was lost.
  const now = await getJobRow(db, jobId);
  if (now?.leaseOwner === claim.owner && now.cancelRequestedAt) throw new JobCancelled();
  return false;
}

/** The result committed, then tidied after (best effort), or cleaned up when it did not commit. */
async function commitClaimed(
  db: Db,
  claim: Claim,
  type: QueuedJobType,
  outcome: Exclude<Outcome, { continue: unknown }>,
  stageTimings: Record<string, number>,
  clock: () => Date,
): Promise<void> {
  const committed = await succeedJob(db, claim, outcome.result, clock(), {
    domain: outcome.domain,
    stageTimings: { ...stageTimings, ...outcome.stageTimings },
    progress: outcome.progress,
  }).catch(async (error) => {
    await outcome.cleanup?.();
    throw permanentIfUnstorable(error, type);
  });
  // Tidying after a committed result is best effort: the job has succeeded either way.
  if (committed)
    await outcome.afterCommit?.().catch((error) => {
      console.log(
        JSON.stringify({
          level: "warn",
          event: "job_after_commit_failed",
          jobId: claim.job.id,
          error: String(error),
        }),
      );
    });
  else await outcome.cleanup?.();
}

/** A failed attempt: cancelled, failed for good, out of attempts, or released for a retry with backoff. */
async function onAttemptError(
  db: Db,
  claim: Claim,
  error: unknown,
  message: Message,
  stageTimings: Record<string, number>,
  options: RunnerOptions,
  clock: () => Date,
): Promise<void> {
  if (error instanceof JobCancelled) {
    await finishCancelled(db, claim, clock());
    return message.ack();
  }
  if (error instanceof PermanentJobError) {
    await failJob(db, { claim }, { code: error.code, message: error.message }, clock(), stageTimings);
    return message.ack();
  }
  const reason = error instanceof Error ? error.message : String(error);
  // max_attempts counts failed attempts across all of the job's deliveries (a chunked job gets
  // a fresh message per chunk, so the queue's own retry count can't bound it).
  const failures = (await failedAttempts(db, claim.job.id)) + 1;
  if (failures >= claim.job.maxAttempts) {
    await failJob(db, { claim }, exhausted(failures, reason), clock(), stageTimings);
    return message.ack();
  }
  console.log(
    JSON.stringify({
      level: "warn",
      event: "job_attempt_failed",
      jobId: claim.job.id,
      attempt: claim.attempt,
      error: reason,
    }),
  );
  await releaseForRetry(db, claim, { code: "transient_error", message: reason }, clock(), stageTimings);
  message.retry({ delaySeconds: backoffSeconds(message.attempts, options.retryBaseSeconds ?? 10) });
}

const exhausted = (failures: number, lastError: string | null) => ({
  code: "attempts_exhausted",
  message: `Gave up after ${failures} failed attempts.${lastError ? ` The last error was: ${lastError}` : ""}`,
});

/**
 * SQLite refusing the statement itself — a limit (too many variables, a LIKE pattern over D1's 50
 * bytes, a value or expression too big) or a constraint — or a 4xx the job's own code raised: the
 * same input meets the same error on every retry, so the job fails at once. Network and overload
 * errors stay transient, and so does a missing table or column (a deploy whose migration is not
 * applied yet heals by itself).
 */
const DETERMINISTIC =
  /SQLITE_(?:CONSTRAINT|TOOBIG|MISMATCH|RANGE)\b|too many SQL variables|pattern too complex|string or blob too big|too many terms in compound SELECT|Expression tree is too large/;

function asPermanent(error: unknown): unknown {
  if (error instanceof PermanentJobError || error instanceof JobCancelled) return error;
  if (error instanceof HTTPException && error.status < 500) {
    return new PermanentJobError("deterministic_error", error.message);
  }
  if (isConstraintError(error, DETERMINISTIC)) {
    let root = error as Error;
    while (root.cause instanceof Error) root = root.cause;
    return new PermanentJobError("deterministic_error", root.message);
  }
  return error;
}

/**
 * A result D1 refuses to store on every retry too: the type's own reading of the failure (e.g. the
 * storage quota), else any CHECK constraint. Anything else stays transient.
 */
function permanentIfUnstorable(error: unknown, type: QueuedJobType): unknown {
  const known = type.permanentCommitError?.(error);
  if (known) return new PermanentJobError(known.code, known.message);
  if (isConstraintError(error, /CHECK constraint failed/)) {
    return new PermanentJobError("constraint_failed", "The result could not be stored.");
  }
  return error;
}
