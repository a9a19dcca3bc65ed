import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { stringVars } from "../config";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { type Job, type JobProgress, jobs, taskExecutions } from "../db/jobs-schema";
import { outbox } from "../db/schema";
import { isoAfter } from "../lib/clock";
import { newId } from "../lib/ids";
import { commitCredits, releaseCredits } from "./credits";

/** How long a consumer owns a running job without a heartbeat. */
export const LEASE_SECONDS = 120;

/**
 * The lease this deployment uses: `JOB_LEASE_SECONDS` when set (the fault test shortens it to see a
 * dead consumer's job taken over in seconds), else `LEASE_SECONDS`.
 */
export function leaseSecondsOf(env: Env): number {
  const value = Number(stringVars(env).JOB_LEASE_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : LEASE_SECONDS;
}

export const QUEUED_PROGRESS: JobProgress = { stage: "queued", done: 0, total: 1, percent: 0 };
export const DONE_PROGRESS: JobProgress = { stage: "done", done: 1, total: 1, percent: 100 };

export interface Claim {
  job: Job;
  owner: string;
  attempt: number;
  /** The job's failed attempts before this one (see `failedAttempts`), counted in the claim's batch. */
  failedBefore: number;
}

/**
 * Takes a job for this delivery: `queued → running`, or a running job whose lease ran out. Returns
 * null when the job is finished, cancelled, or owned by a live lease — the message is then acked
 * and changes nothing. Records the attempt in the same batch.
 */
export async function claimJob(
  db: Db,
  jobId: string,
  now: Date,
  leaseSeconds = LEASE_SECONDS,
): Promise<Claim | null> {
  const owner = newId("lease");
  const nowIso = now.toISOString();
  const [claimed, , , failed] = await db.batch([
    db
      .update(jobs)
      .set({
        status: "running",
        attempts: sql`${jobs.attempts} + 1`,
        leaseOwner: owner,
        leaseUntil: isoAfter(now, leaseSeconds),
        startedAt: sql`coalesce(${jobs.startedAt}, ${nowIso})`,
        updatedAt: nowIso,
      })
      .where(
        and(
          eq(jobs.id, jobId),
          isNull(jobs.cancelRequestedAt),
          or(eq(jobs.status, "queued"), and(eq(jobs.status, "running"), lt(jobs.leaseUntil, nowIso))),
        ),
      )
      .returning(),
    // A previous attempt whose lease ran out is closed as lost.
    rawInBatch(
      db,
      sql`UPDATE task_executions SET outcome = 'lost', ended_at = ${nowIso}
        WHERE job_id = ${jobId} AND outcome = 'running'
          AND EXISTS (SELECT 1 FROM jobs WHERE id = ${jobId} AND lease_owner = ${owner})`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO task_executions (id, job_id, attempt, started_at, outcome)
        SELECT ${newId("exe")}, id, attempts, ${nowIso}, 'running' FROM jobs WHERE id = ${jobId} AND lease_owner = ${owner}`,
    ),
    // After the lost attempt is closed, so it counts; in the batch, one round trip less per delivery.
    failedAttemptsQuery(db, jobId),
  ]);
  const job = claimed[0];
  return job ? { job, owner, attempt: job.attempts, failedBefore: failed[0]?.n ?? 0 } : null;
}

export class JobCancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/**
 * Stage boundary: extends the lease and stores progress. Throws JobCancelled when a cancel was
 * requested, and when the lease was lost to another consumer (this one must stop writing).
 */
export async function heartbeat(
  db: Db,
  claim: Claim,
  progress: JobProgress,
  now: Date,
  leaseSeconds = LEASE_SECONDS,
): Promise<void> {
  const row = await db
    .update(jobs)
    .set({ progress, leaseUntil: isoAfter(now, leaseSeconds), updatedAt: now.toISOString() })
    .where(and(eq(jobs.id, claim.job.id), eq(jobs.leaseOwner, claim.owner), eq(jobs.status, "running")))
    .returning({ cancelRequestedAt: jobs.cancelRequestedAt })
    .get();
  if (!row || row.cancelRequestedAt) throw new JobCancelled();
}

const ownedByClaim = (claim: Claim) =>
  and(eq(jobs.id, claim.job.id), eq(jobs.leaseOwner, claim.owner), eq(jobs.status, "running"));

function closeAttempt(
  db: Db,
  claim: Claim,
  outcome: "succeeded" | "failed" | "retry" | "cancelled" | "continued",
  now: Date,
  extra: {
    errorCode?: string;
    errorMessage?: string;
    stageTimings?: Record<string, number>;
  },
) {
  const startedMs = now.getTime();
  return rawInBatch(
    db,
    sql`UPDATE task_executions SET outcome = ${outcome}, ended_at = ${now.toISOString()},
        duration_ms = ${startedMs} - CAST((julianday(started_at) - 2440587.5) * 86400000 AS INTEGER),
        error_code = ${extra.errorCode ?? null}, error_message = ${extra.errorMessage ?? null},
        stage_timings = ${extra.stageTimings ? JSON.stringify(extra.stageTimings) : null}
      WHERE job_id = ${claim.job.id} AND attempt = ${claim.attempt} AND outcome = 'running'`,
  );
}

/** The guard of every write a claim makes to its job: the lease-guarded update must have taken. */
const CLAIM_LOST = "job-claim-lost";

/**
 * Finishes a claimed job as succeeded. `domain` are the statements that store its result (e.g. the
 * SVG media row); they run in the same batch, behind the claim guard, so they take effect exactly
 * once or not at all: the job leaves `running` in that same batch, so no later claim can commit it
 * again. Returns false when the lease had been lost or the job was already committed: then nothing
 * at all was written.
 */
export async function succeedJob(
  db: Db,
  claim: Claim,
  result: Record<string, unknown>,
  now: Date,
  options: {
    domain?: BatchItem<"sqlite">[];
    stageTimings?: Record<string, number>;
    progress?: JobProgress;
  } = {},
): Promise<boolean> {
  const nowIso = now.toISOString();
  try {
    await db.batch([
      db
        .update(jobs)
        .set({
          status: "succeeded",
          result,
          progress: options.progress ?? DONE_PROGRESS,
          leaseOwner: null,
          leaseUntil: null,
          finishedAt: nowIso,
          updatedAt: nowIso,
        })
        .where(ownedByClaim(claim)),
      abortUnless(db, CLAIM_LOST, previousChangedOneRow),
      ...(options.domain ?? []),
      commitCredits(db, claim.job.userId, claim.job.id, nowIso),
      closeAttempt(db, claim, "succeeded", now, { stageTimings: options.stageTimings }),
      db.insert(outbox).values({
        id: newId("evt"),
        topic: "job.succeeded",
        payload: { jobId: claim.job.id },
        createdAt: nowIso,
      }),
    ]);
    return true;
  } catch (error) {
    if (isBatchAbort(error, CLAIM_LOST)) return false;
    throw error;
  }
}

/**
 * Ends one chunk of a chunked job (see `JobContinuation` in runner.ts): in one batch, the job goes
 * back to `queued` with its lease released, the chunk's `checkpoint` statements (its work and the
 * cursor) run behind a guard, the attempt is closed as `continued`, and an outbox row asks for the
 * next delivery. The guard makes the checkpoint all or nothing: a consumer that lost its lease, or
 * whose job was asked to cancel, changes nothing at all. Returns false in that case.
 */
export async function continueJob(
  db: Db,
  claim: Claim,
  progress: JobProgress,
  now: Date,
  options: { checkpoint: BatchItem<"sqlite">[]; stageTimings?: Record<string, number> },
): Promise<boolean> {
  const nowIso = now.toISOString();
  try {
    await db.batch([
      db
        .update(jobs)
        .set({ status: "queued", progress, leaseOwner: null, leaseUntil: null, updatedAt: nowIso })
        .where(and(ownedByClaim(claim), isNull(jobs.cancelRequestedAt))),
      abortUnless(db, CLAIM_LOST, previousChangedOneRow),
      ...options.checkpoint,
      closeAttempt(db, claim, "continued", now, { stageTimings: options.stageTimings }),
      db.insert(outbox).values({
        id: newId("evt"),
        topic: "job.created",
        payload: { jobId: claim.job.id, type: claim.job.type, continued: true },
        createdAt: nowIso,
      }),
    ]);
    return true;
  } catch (error) {
    if (isBatchAbort(error, CLAIM_LOST)) return false;
    throw error;
  }
}

/**
 * Adds `write` (ms) to a continued attempt's stage timings: the time its checkpoint batch took, seen
 * from the consumer. `duration_ms` stops when the batch starts, so without it a chunk's D1 write
 * would look like queue hand-off.
 */
export async function recordWriteTime(db: Db, claim: Claim, ms: number): Promise<void> {
  await db.run(
    sql`UPDATE task_executions SET stage_timings = json_set(coalesce(stage_timings, '{}'), '$.write', ${ms})
      WHERE job_id = ${claim.job.id} AND attempt = ${claim.attempt}`,
  );
}

/**
 * Attempts of a job that failed so far: retried after an error, or lost with their consumer. Chunks
 * that completed don't count, so `max_attempts` bounds failures whatever the job's length.
 */
export async function failedAttempts(db: Db, jobId: string): Promise<number> {
  const row = await failedAttemptsQuery(db, jobId).get();
  return row?.n ?? 0;
}

const failedAttemptsQuery = (db: Db, jobId: string) =>
  db
    .select({ n: sql<number>`count(*)` })
    .from(taskExecutions)
    .where(and(eq(taskExecutions.jobId, jobId), inArray(taskExecutions.outcome, ["retry", "lost"])));

/** Ends a job for good as failed (permanent error, or out of attempts), releasing its credits. */
export async function failJob(
  db: Db,
  target: { claim: Claim } | { jobId: string },
  error: { code: string; message: string },
  now: Date,
  stageTimings?: Record<string, number>,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const jobId = "claim" in target ? target.claim.job.id : target.jobId;
  const where =
    "claim" in target
      ? ownedByClaim(target.claim)
      : and(eq(jobs.id, jobId), inArray(jobs.status, ["queued", "running"]));
  const statements: BatchItem<"sqlite">[] = [
    db
      .update(jobs)
      .set({
        status: "failed",
        errorCode: error.code,
        errorMessage: error.message,
        leaseOwner: null,
        leaseUntil: null,
        finishedAt: nowIso,
        updatedAt: nowIso,
      })
      .where(where)
      .returning({ id: jobs.id, userId: jobs.userId }),
    releaseCredits(db, jobId, "failed", nowIso),
    db.insert(outbox).values({
      id: newId("evt"),
      topic: "job.failed",
      payload: { jobId, code: error.code },
      createdAt: nowIso,
    }),
  ];
  if ("claim" in target) {
    statements.push(
      closeAttempt(db, target.claim, "failed", now, {
        errorCode: error.code,
        errorMessage: error.message,
        stageTimings,
      }),
    );
  } else {
    statements.push(
      rawInBatch(
        db,
        sql`UPDATE task_executions SET outcome = 'failed', ended_at = ${nowIso}, error_code = ${error.code}, error_message = ${error.message}
          WHERE job_id = ${jobId} AND outcome = 'running'`,
      ),
    );
  }
  const [updated] = await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  return (updated as unknown[]).length === 1;
}

/** A transient failure: the attempt is recorded, the job goes back to `queued` for the next delivery. */
export async function releaseForRetry(
  db: Db,
  claim: Claim,
  error: { code: string; message: string },
  now: Date,
  stageTimings?: Record<string, number>,
): Promise<void> {
  const nowIso = now.toISOString();
  await db.batch([
    db
      .update(jobs)
      .set({
        status: "queued",
        errorCode: error.code,
        errorMessage: error.message,
        leaseOwner: null,
        leaseUntil: null,
        updatedAt: nowIso,
      })
      .where(ownedByClaim(claim)),
    closeAttempt(db, claim, "retry", now, {
      errorCode: error.code,
      errorMessage: error.message,
      stageTimings,
    }),
  ]);
}

/**
 * Cancels a job. A queued one is cancelled at once (it will never run); a running one is flagged and
 * stops at its next stage boundary; a finished one is left as it is.
 */
export async function requestCancel(
  db: Db,
  jobId: string,
  now: Date,
): Promise<"cancelled" | "requested" | "final"> {
  const nowIso = now.toISOString();
  const [queued] = await db.batch([
    db
      .update(jobs)
      .set({ status: "cancelled", cancelRequestedAt: nowIso, finishedAt: nowIso, updatedAt: nowIso })
      .where(and(eq(jobs.id, jobId), eq(jobs.status, "queued")))
      .returning({ id: jobs.id, userId: jobs.userId }),
    releaseCredits(db, jobId, "cancelled", nowIso),
  ]);
  if (queued.length === 1) return "cancelled";
  const running = await db
    .update(jobs)
    .set({ cancelRequestedAt: nowIso, updatedAt: nowIso })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, "running"), isNull(jobs.cancelRequestedAt)))
    .returning({ id: jobs.id });
  return running.length === 1 ? "requested" : "final";
}

/** The consumer saw the cancel flag: the job ends cancelled and its credits go back. */
export async function finishCancelled(db: Db, claim: Claim, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  await db.batch([
    db
      .update(jobs)
      .set({ status: "cancelled", leaseOwner: null, leaseUntil: null, finishedAt: nowIso, updatedAt: nowIso })
      .where(ownedByClaim(claim)),
    releaseCredits(db, claim.job.id, "cancelled", nowIso),
    closeAttempt(db, claim, "cancelled", now, {}),
  ]);
}

export async function getJobRow(db: Db, jobId: string): Promise<Job | undefined> {
  return db.select().from(jobs).where(eq(jobs.id, jobId)).get();
}
