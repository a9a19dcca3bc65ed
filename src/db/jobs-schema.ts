import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

/** Kept apart from schema.ts so the job machinery (shared by every job type) reads as one unit. */

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
  percent: number;
  /** What `done` and `total` count (e.g. "files"); absent: steps of the job. */
  unit?: string;
  /** Bytes of the counted items done so far and in all, when the job knows them. */
  bytesDone?: number;
  bytesTotal?: number;
}

/**
 * One row per job. A consumer owns a running job through `leaseOwner` until `leaseUntil`; a lease
 * that runs out (the consumer died) lets the next delivery, or the scheduled handler, take it over.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** A registered job type's name (src/job-types.ts). */
    type: text("type").notNull(),
    parentId: text("parent_id"),
    /** The failed job this one replays (admin bulk replay); unique, so a job is replayed at most once. */
    replayOf: text("replay_of"),
    status: text("status", { enum: JOB_STATUSES }).notNull().default("queued"),
    input: text("input", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    progress: text("progress", { mode: "json" }).$type<JobProgress>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(5),
    leaseOwner: text("lease_owner"),
    leaseUntil: text("lease_until"),
    cancelRequestedAt: text("cancel_requested_at"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    creditCost: integer("credit_cost").notNull().default(0),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("jobs_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("jobs_user_status_idx").on(t.userId, t.status, t.createdAt),
    index("jobs_status_lease_idx").on(t.status, t.leaseUntil),
    index("jobs_parent_idx").on(t.parentId),
    index("jobs_created_idx").on(t.createdAt, t.id),
    uniqueIndex("jobs_replay_of_unique").on(t.replayOf),
    index("jobs_error_code_idx").on(t.errorCode, t.createdAt),
    check("jobs_attempts_nonnegative", sql`${t.attempts} >= 0`),
  ],
);

/** Every attempt at a job: when, how it ended, and how long each CPU-heavy stage took. */
export const taskExecutions = sqliteTable(
  "task_executions",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAt: text("started_at").notNull(),
    endedAt: text("ended_at"),
    outcome: text("outcome", {
      enum: ["running", "succeeded", "failed", "retry", "cancelled", "lost", "continued"],
    }).notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    durationMs: integer("duration_ms"),
    stageTimings: text("stage_timings", { mode: "json" }).$type<Record<string, number>>(),
  },
  (t) => [uniqueIndex("task_executions_job_attempt").on(t.jobId, t.attempt)],
);

/**
 * The SVG a vectorize job made. `jobId` as key means a job can never store two SVGs; the
 * (owner, source bytes, options) key is the cache that lets the same request reuse its SVG.
 */
export const vectorizeOutputs = sqliteTable(
  "vectorize_outputs",
  {
    jobId: text("job_id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sourceMediaId: text("source_media_id").notNull(),
    sourceSha256: text("source_sha256").notNull(),
    optionsHash: text("options_hash").notNull(),
    svgMediaId: text("svg_media_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("vectorize_outputs_cache").on(t.ownerId, t.sourceSha256, t.optionsHash)],
);

export type Job = typeof jobs.$inferSelect;
export type TaskExecution = typeof taskExecutions.$inferSelect;
