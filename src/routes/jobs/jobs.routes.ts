import { z } from "@hono/zod-openapi";
import { JOB_STATUSES } from "../../db/jobs-schema";
import { problemSchema } from "../../errors";
import { jobSchema, jobTypes } from "../../job-types";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Jobs"];
const jobsRead = requires({ kind: "user", scope: "jobs:read" });
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });
const adminOnly = requires({ kind: "admin" });

export const attemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    outcome: z.string(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    durationMs: z.number().nullable(),
    stageTimings: z.record(z.string(), z.number()).nullable(),
  })
  .openapi("JobAttempt");

export const listJobs = createRoute({
  operationId: "listJobs",
  method: "get",
  path: "/jobs",
  tags,
  middleware: [jobsRead] as const,
  summary: "Your jobs, newest first (admins: `?scope=all` for everyone's)",
  request: {
    query: pageQuerySchema.extend({
      type: z.enum(jobTypes.names()).optional(),
      status: z.enum(JOB_STATUSES).optional(),
      from: z.iso.datetime().optional().openapi({ description: "created at or after" }),
      to: z.iso.datetime().optional().openapi({ description: "created at or before" }),
      parentId: z.string().max(64).optional(),
      scope: z.enum(["mine", "all"]).default("mine"),
    }),
  },
  responses: {
    200: pageContent(jobSchema, "Jobs"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const getJob = createRoute({
  operationId: "getJob",
  method: "get",
  path: "/jobs/{id}",
  tags,
  middleware: [jobsRead] as const,
  summary: "One job, with its attempts",
  request: { params: idParam("job") },
  responses: {
    200: jsonContent(z.object({ job: jobSchema, attempts: z.array(attemptSchema) }), "The job"),
    ...pickProblems(401, 403, 404),
  },
});

export const cancelJob = createRoute({
  operationId: "cancelJob",
  method: "post",
  path: "/jobs/{id}/cancel",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Cancel a job",
  description:
    "A queued job never runs; a running one stops at its next stage boundary. Reserved credits are released.",
  request: { params: idParam("job") },
  responses: {
    200: jsonContent(z.object({ job: jobSchema }), "The job after the request"),
    ...pickProblems(401, 403, 404, 409),
  },
});

export const watchJob = createRoute({
  operationId: "watchJob",
  method: "get",
  path: "/jobs/{id}/ws",
  tags,
  middleware: [jobsRead] as const,
  summary: "Live progress over a WebSocket",
  description:
    "Upgrade to a WebSocket. Messages: `{type:'progress', stage, done, total, percent}`, then one `{type:'succeeded'|'failed'|'cancelled', job}` and a clean close. The latest state is sent on connect.",
  request: { params: idParam("job") },
  responses: {
    101: { description: "Switching protocols" },
    ...pickProblems(401, 403, 404),
    426: {
      content: { "application/problem+json": { schema: problemSchema } },
      description: "Not a WebSocket upgrade",
    },
  },
});

export const retryJobs = createRoute({
  operationId: "adminRetryJobs",
  method: "post",
  path: "/admin/jobs/retry",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Retry failed jobs: the given ids, or every failed job",
  request: {
    body: jsonBody(
      z.union([
        z.strictObject({ jobIds: z.array(z.string().max(64)).min(1).max(500) }),
        z.strictObject({ allFailed: z.literal(true) }),
      ]),
    ),
  },
  responses: {
    202: jsonContent(z.object({ requeued: z.array(z.string()) }), "Requeued"),
    ...pickProblems(401, 403, 415, 422),
  },
});

export const jobStats = createRoute({
  operationId: "adminJobStats",
  method: "get",
  path: "/admin/jobs/stats",
  tags: ["Admin"],
  middleware: [adminOnly] as const,
  summary: "Job counts per type and status, and the dead-letter count",
  responses: {
    200: jsonContent(
      z.object({
        byStatus: z.array(z.object({ type: z.string(), status: z.string(), count: z.number() })),
        deadLettered: z.number(),
      }),
      "Stats",
    ),
    ...pickProblems(401, 403),
  },
});
