import type { z } from "@hono/zod-openapi";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import type { Job, JobProgress } from "../db/jobs-schema";
import type { Claim } from "./lifecycle";

/**
 * Job types plug into the engine (ADR 0007). A feature describes its job once — name, input schema,
 * handler, queue, cost, result schema — and lists it in `src/job-types.ts`. The engine (runner,
 * lifecycle, dispatch, dead letters, recovery) works from these descriptions only and knows no
 * feature by name.
 */

/** What a handler gets: the claimed job, its parsed input, and the stage boundary. */
export interface JobContext<Input = unknown> {
  env: Env;
  db: Db;
  claim: Claim;
  /** `claim.job.input`, parsed by the type's `input` schema. */
  input: Input;
  now(): Date;
  /** Stage boundary: publishes progress, extends the lease, and throws if the job was cancelled. */
  step(progress: JobProgress): Promise<void>;
}

export interface JobOutcome<Result = Record<string, unknown>> {
  result: Result;
  /** Statements that store the result, run in the same batch as the job's success. */
  domain?: BatchItem<"sqlite">[];
  stageTimings?: Record<string, number>;
  /** The progress a finished job shows (default: one step of one done); e.g. the files it handled. */
  progress?: JobProgress;
  /** Undoes side effects outside D1 (e.g. a blob written to R2) when the result is not committed. */
  cleanup?: () => Promise<void>;
  /** Tidies up outside D1 once the result is committed (e.g. drops bytes that were already stored). */
  afterCommit?: () => Promise<void>;
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

/** What runs a delivery of a job (a type's `handler`). */
export type JobHandler<Input = unknown> = (ctx: JobContext<Input>) => Promise<JobOutcome | JobContinuation>;

/** A job that runs on a queue: one `{jobId}` message per delivery, claimed and run by the engine. */
export interface QueuedJobType<
  Input = unknown,
  Result extends Record<string, unknown> = Record<string, unknown>,
> {
  kind: "queued";
  /** Stored in `jobs.type`; stable forever (rows and clients keep it). */
  name: string;
  /** Checked when the job is created and parsed before each run; a stored input that no longer parses fails the job. */
  input: z.ZodType<Input>;
  /** The shape of `result` when the job succeeds (the result view clients get, in OpenAPI). */
  result: z.ZodType<Result>;
  /** The queue its messages go to (the binding; the consumer is the Worker's one queue handler). */
  queue(env: Env): Queue;
  /** Credits reserved when the job is created, committed on success, released on failure. */
  cost(input: Input, env: Env): number;
  /** Deliveries before the dead-letter queue gives up on it (default 5). */
  maxAttempts?: number;
  /**
   * How an admin's replay of a failed job runs it again (src/jobs/bulk.ts). Absent: the input is all
   * the job needs. A function: the rows besides the job that the new job needs (e.g. its own copy
   * of a state row keyed by job id), written in the replay's batch. `false`: a job of this type
   * belongs to state its input doesn't hold and is never replayed.
   */
  replay?: false | ((db: Db, failedJobId: string, replayId: string) => Promise<BatchItem<"sqlite">[]>);
  handler(ctx: JobContext<Input>): Promise<JobOutcome<Result> | JobContinuation>;
  /**
   * A failure to commit the result that no retry can fix (e.g. the storage quota refusing an SVG),
   * as the job's error; anything else is retried. Optional: any CHECK constraint is permanent anyway.
   */
  permanentCommitError?(error: unknown): { code: string; message: string } | undefined;
}

/**
 * A job that only groups other jobs (`parentId`): it never runs or gets a message; its status,
 * progress and result follow its children's (see `refreshGroupJob`). Cancelling it cancels them.
 */
export interface GroupJobType<
  Input = unknown,
  Result extends Record<string, unknown> = Record<string, unknown>,
> {
  kind: "group";
  name: string;
  input: z.ZodType<Input>;
  result: z.ZodType<Result>;
  /** The type-specific part of the result, from the children's results (in creation order). */
  summarize(children: Pick<Job, "status" | "result">[]): Omit<Result, keyof GroupCounts>;
  /** The error message when every child failed. */
  allFailedMessage: string;
}

/** The counts every group job's result carries. */
export interface GroupCounts {
  succeeded: number;
  failed: number;
  cancelled: number;
  total: number;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds types of any input and result.
export type AnyJobType = QueuedJobType<any, any> | GroupJobType<any, any>;

/** Identity helpers that check a definition against its input and result types. */
export function defineJobType<Input, Result extends Record<string, unknown>>(
  definition: Omit<QueuedJobType<Input, Result>, "kind">,
): QueuedJobType<Input, Result> {
  return { kind: "queued", ...definition };
}

export function defineGroupJobType<Input, Result extends Record<string, unknown>>(
  definition: Omit<GroupJobType<Input, Result>, "kind">,
): GroupJobType<Input, Result> {
  return { kind: "group", ...definition };
}

export interface JobRegistry {
  /** Every registered name, in registration order. */
  names(): [string, ...string[]];
  /** The type called `name`, or undefined for a name no type claims (an old or foreign row). */
  get(name: string): AnyJobType | undefined;
  all(): readonly AnyJobType[];
}

export function createJobRegistry(types: AnyJobType[]): JobRegistry {
  const byName = new Map<string, AnyJobType>();
  for (const type of types) {
    if (!/^[a-z][a-z0-9-]*$/.test(type.name))
      throw new Error(`job type name "${type.name}" must be kebab-case`);
    if (byName.has(type.name)) throw new Error(`job type "${type.name}" is registered twice`);
    byName.set(type.name, type);
  }
  if (types.length === 0) throw new Error("a job registry needs at least one type");
  return {
    names: () => [...byName.keys()] as [string, ...string[]],
    get: (name) => byName.get(name),
    all: () => types,
  };
}
