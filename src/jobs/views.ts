import { z } from "@hono/zod-openapi";
import { createSchemaFactory } from "drizzle-zod";
import { JOB_STATUSES, type Job, jobs, type TaskExecution } from "../db/jobs-schema";
import type { JobRegistry } from "./registry";

const { createSelectSchema } = createSchemaFactory({ zodInstance: z });

export const progressSchema = z
  .object({
    stage: z.string(),
    done: z.number(),
    total: z.number(),
    percent: z.number().min(0).max(100),
    unit: z.string().optional().openapi({ description: 'What done/total count, e.g. "files"' }),
    bytesDone: z.number().optional(),
    bytesTotal: z.number().optional(),
  })
  .openapi("JobProgress");

/** The job as clients see it (API.md "Jobs"), whatever its type. */
const baseJobSchema = createSelectSchema(jobs)
  .pick({
    id: true,
    type: true,
    status: true,
    attempts: true,
    createdAt: true,
    startedAt: true,
    finishedAt: true,
    parentId: true,
  })
  .extend({
    status: z.enum(JOB_STATUSES),
    progress: progressSchema,
    input: z.record(z.string(), z.unknown()),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    cancelRequested: z.boolean(),
  });

export type JobView = z.infer<typeof baseJobSchema>;

/** The `Job` schema of the API: `type` is one of the registered names, `result` one of their result views. */
export function jobViewSchema(registry: JobRegistry) {
  const results = registry.all().map((t) => t.result);
  const result =
    results.length > 1 ? z.union(results as [z.ZodType, z.ZodType, ...z.ZodType[]]) : results[0]!;
  return baseJobSchema
    .extend({
      type: z.enum(registry.names()),
      result: result
        .nullable()
        .openapi({ description: "Set once the job succeeded; its shape follows `type`." }),
    })
    .openapi("Job");
}

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    progress: job.progress,
    attempts: job.attempts,
    input: job.input,
    // A retried job keeps its last error for context, but only a failed job reports one.
    error:
      job.status === "failed" && job.errorCode
        ? { code: job.errorCode, message: job.errorMessage ?? "" }
        : null,
    result: job.result ?? null,
    parentId: job.parentId,
    cancelRequested: job.cancelRequestedAt !== null,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

/** One attempt at a job as clients see it (GET /jobs/{id}, the admin's job explorer). */
export function toAttemptView(a: TaskExecution) {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    outcome: a.outcome,
    errorCode: a.errorCode,
    errorMessage: a.errorMessage,
    durationMs: a.durationMs,
    stageTimings: a.stageTimings ?? null,
  };
}
