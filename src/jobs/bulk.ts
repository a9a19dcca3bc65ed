import { and, inArray, sql } from "drizzle-orm";
import type { Principal } from "../app-env";
import { type AuditContext, auditStatement, recordAudit } from "../audit/record";
import { type Db, getDb, isConstraintError } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { ApiError } from "../errors";
import { createJobStatements, type Delivery } from "./create";
import { isInsufficientCredits } from "./credits";
import { enqueueJobs } from "./dispatch";
import { countJobs, filterConditions, type JobFilter } from "./explorer";
import type { JobRegistry, QueuedJobType } from "./registry";
import { cancelJob } from "./service";

/**
 * Bulk actions of the job explorer over a filter (explorer.ts). Each is asked twice: without
 * `confirmCount` it only counts what it would touch; with it, it acts only if the count is still
 * that (409 `count_changed` otherwise), so what the admin confirmed is what happens.
 */

/** At most this many jobs per bulk action; narrow the filter for more. */
export const BULK_LIMIT = 500;
const SAMPLE = 20;

export interface BulkPreview {
  count: number;
  sample: string[];
}

/**
 * Failed jobs of a type that runs on a queue and may be replayed, never replayed before: what a
 * replay may pick.
 */
function replayable(registry: JobRegistry) {
  const queued = registry
    .all()
    .filter((t) => t.kind === "queued" && t.replay !== false)
    .map((t) => t.name);
  return [
    sql`${jobs.status} = 'failed'`,
    inArray(jobs.type, queued),
    sql`NOT EXISTS (SELECT 1 FROM jobs AS replays WHERE replays.replay_of = ${jobs.id})`,
  ];
}

const cancellable = [sql`${jobs.status} IN ('queued', 'running')`];

async function preview(db: Db, filter: JobFilter, extra: ReturnType<typeof replayable>) {
  const count = await countJobs(db, filter, extra);
  const sample = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(...filterConditions(filter), ...extra))
    .orderBy(jobs.createdAt, jobs.id)
    .limit(SAMPLE)
    .all();
  return { count, sample: sample.map((r) => r.id) };
}

function checkCount(count: number, confirmCount: number): void {
  if (count !== confirmCount)
    throw new ApiError(
      409,
      "count_changed",
      `The filter now selects ${count} jobs, not ${confirmCount}; look again.`,
    );
  if (count > BULK_LIMIT)
    throw new ApiError(
      422,
      "too_many_jobs",
      `The filter selects ${count} jobs; at most ${BULK_LIMIT} per request — narrow it (time range, type).`,
    );
}

export interface ReplayOutcome {
  replayed: { jobId: string; replayId: string }[];
  skipped: { insufficientCredits: string[]; alreadyReplayed: string[]; invalidInput: string[] };
}

/**
 * One failed job replayed: the new job, the rows its type needs besides it and the audit row in one
 * batch; or why not (the skip list it goes to).
 */
async function replayOne(
  env: Env,
  db: Db,
  type: QueuedJobType,
  target: { id: string; userId: string; input: unknown },
  now: Date,
  audit: AuditContext,
): Promise<{ replayId: string; delivery: Delivery[] } | keyof ReplayOutcome["skipped"]> {
  if (!type.input.safeParse(target.input).success) return "invalidInput";
  const created = createJobStatements(
    db,
    env,
    { type, userId: target.userId, input: target.input, replayOf: target.id },
    now,
  );
  const state = type.replay ? await type.replay(db, target.id, created.id) : [];
  try {
    await db.batch([
      auditStatement(
        db,
        audit,
        {
          action: "job.replayed",
          subjectId: target.userId,
          targetType: "job",
          targetId: target.id,
          detail: { replayId: created.id },
        },
        now.toISOString(),
      ),
      ...created.statements,
      ...state,
    ]);
  } catch (error) {
    if (isInsufficientCredits(error)) return "insufficientCredits";
    if (isConstraintError(error, /jobs_replay_of_unique|jobs\.replay_of/)) return "alreadyReplayed";
    throw error;
  }
  return { replayId: created.id, delivery: created.delivery };
}

/**
 * Replays failed jobs: each becomes a new job with the same owner, type and input (`replayOf` the
 * original), its credits reserved again at today's price — refused for an owner who can't cover
 * it — in one batch with its audit row. `replayOf` is unique, so a failed job is replayed at most
 * once however often (or concurrently) the request comes.
 */
export async function replayJobs(
  env: Env,
  registry: JobRegistry,
  filter: JobFilter,
  confirmCount: number | undefined,
  now: Date,
  audit: AuditContext,
): Promise<BulkPreview | ReplayOutcome> {
  const db = getDb(env.DB);
  const extra = replayable(registry);
  if (confirmCount === undefined) return preview(db, filter, extra);
  checkCount(await countJobs(db, filter, extra), confirmCount);
  const targets = await db
    .select({ id: jobs.id, type: jobs.type, userId: jobs.userId, input: jobs.input })
    .from(jobs)
    .where(and(...filterConditions(filter), ...extra))
    .orderBy(jobs.createdAt, jobs.id)
    .limit(BULK_LIMIT)
    .all();
  const outcome: ReplayOutcome = {
    replayed: [],
    skipped: { insufficientCredits: [], alreadyReplayed: [], invalidInput: [] },
  };
  const deliveries: Delivery[] = [];
  for (const target of targets) {
    const type = registry.get(target.type);
    if (type?.kind !== "queued" || type.replay === false) continue;
    const done = await replayOne(env, db, type, target, now, audit);
    if (typeof done === "string") outcome.skipped[done].push(target.id);
    else {
      deliveries.push(...done.delivery);
      outcome.replayed.push({ jobId: target.id, replayId: done.replayId });
    }
  }
  await enqueueJobs(env, db, deliveries, now);
  return outcome;
}

/**
 * Cancels queued and running jobs the filter selects, each as its owner's cancel would (credits
 * released; a running job stops at its next stage), then records one audit row with their ids.
 */
export async function cancelJobs(
  env: Env,
  registry: JobRegistry,
  principal: Principal,
  filter: JobFilter,
  confirmCount: number | undefined,
  now: Date,
  audit: AuditContext,
): Promise<BulkPreview | { cancelled: string[] }> {
  const db = getDb(env.DB);
  if (confirmCount === undefined) return preview(db, filter, cancellable);
  checkCount(await countJobs(db, filter, cancellable), confirmCount);
  const targets = await db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(...filterConditions(filter), ...cancellable))
    .orderBy(jobs.createdAt, jobs.id)
    .limit(BULK_LIMIT)
    .all();
  const cancelled: string[] = [];
  for (const { id } of targets) {
    try {
      await cancelJob(env, registry, principal, id, now);
      cancelled.push(id);
    } catch (error) {
      // Ended meanwhile: nothing to cancel.
      if (!(error instanceof ApiError && error.code === "job_finished")) throw error;
    }
  }
  await recordAudit(
    db,
    audit,
    { action: "admin.jobs_cancelled", subjectId: null, targetType: "job", detail: { filter, cancelled } },
    now,
  );
  return { cancelled };
}
