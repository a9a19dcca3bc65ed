import { z } from "@hono/zod-openapi";
import { JOB_STATUSES } from "../../db/jobs-schema";
import { jobSchema, jobTypes } from "../../job-types";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { attemptSchema } from "../jobs/jobs.routes";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Admin"];
const adminOnly = requires({ kind: "admin" });

/** What selects jobs in the explorer, in a query string (list) or a JSON body (bulk actions). */
const filterFields = {
  type: z.enum(jobTypes.names()).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  owner: z.string().trim().min(1).max(254).optional().openapi({ description: "A user id or an exact email" }),
  errorCode: z.string().trim().min(1).max(64).optional(),
  mediaId: z.string().trim().min(1).max(64).optional().openapi({ description: "Jobs given this file" }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "The source file's name contains this" }),
  from: z.iso.datetime().optional().openapi({ description: "created at or after" }),
  to: z.iso.datetime().optional().openapi({ description: "created at or before" }),
};

const filterBody = z
  .strictObject({
    ...filterFields,
    children: z.boolean().default(false).openapi({ description: "Include the jobs of a batch" }),
  })
  .openapi("JobFilter");

export const explorerJobSchema = jobSchema
  .extend({
    owner: z.object({ id: z.string(), email: z.string().nullable() }),
    errorCode: z.string().nullable(),
    replayOf: z.string().nullable(),
    creditCost: z.number().int(),
  })
  .openapi("ExplorerJob");

export const exploreJobs = createRoute({
  method: "get",
  path: "/admin/jobs",
  operationId: "adminExploreJobs",
  tags,
  middleware: [adminOnly] as const,
  summary: "Every user's jobs, newest first, with owner; filtered and searched by input",
  description:
    "Without `children=true` a batch counts once (its traces are under it), as in the Activity chart of GET /admin/stats, which counts the same jobs by creation day.",
  request: {
    query: pageQuerySchema.extend({
      ...filterFields,
      children: z
        .enum(["true", "false"])
        .default("false")
        .transform((v) => v === "true"),
    }),
  },
  responses: {
    200: pageContent(explorerJobSchema, "Jobs"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const explorerJob = createRoute({
  method: "get",
  path: "/admin/jobs/{id}",
  operationId: "adminGetJob",
  tags,
  middleware: [adminOnly] as const,
  summary:
    "Any user's job: every attempt (start, end, outcome, error, stage timings), its source file, replays",
  request: { params: idParam("job") },
  responses: {
    200: jsonContent(
      z.object({
        job: explorerJobSchema,
        attempts: z.array(attemptSchema),
        replayedBy: z.string().nullable(),
        source: z
          .object({
            id: z.string(),
            name: z.string(),
            mime: z.string(),
            size: z.number().int(),
            trashed: z.boolean(),
          })
          .nullable()
          .openapi({ description: "The file the job was given; its bytes at /admin/jobs/{id}/source" }),
      }),
      "The job",
    ),
    ...pickProblems(401, 403, 404),
  },
});

export const explorerJobSource = createRoute({
  method: "get",
  path: "/admin/jobs/{id}/source",
  operationId: "adminGetJobSource",
  tags,
  middleware: [adminOnly] as const,
  summary: "The bytes of the file a job was given, whoever owns it",
  request: { params: idParam("job") },
  responses: {
    200: {
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
      description: "The file",
    },
    304: { description: "Not modified" },
    ...pickProblems(401, 403, 404),
  },
});

const previewSchema = z
  .object({ count: z.number().int(), sample: z.array(z.string()).openapi({ description: "Up to 20 ids" }) })
  .openapi("BulkPreview");

const bulkBody = z.strictObject({
  filter: filterBody,
  confirmCount: z
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: "The count the preview showed; without it nothing changes" }),
});

export const replayJobs = createRoute({
  method: "post",
  path: "/admin/jobs/replay",
  operationId: "adminReplayJobs",
  tags,
  middleware: [adminOnly] as const,
  summary: "Replay the failed jobs a filter selects (count first, then confirm)",
  description:
    "Without `confirmCount`: 200 with how many failed, never-replayed jobs the filter selects. With it (and the count unchanged, else 409 `count_changed`; at most 500, else 422 `too_many_jobs`): each becomes a new job with the same owner, type and input, credits reserved again (an owner who can't cover it is skipped). A job is replayed at most once, however often this is sent.",
  request: { body: jsonBody(bulkBody) },
  responses: {
    200: jsonContent(previewSchema, "What would be replayed"),
    202: jsonContent(
      z.object({
        replayed: z.array(z.object({ jobId: z.string(), replayId: z.string() })),
        skipped: z.object({
          insufficientCredits: z.array(z.string()),
          alreadyReplayed: z.array(z.string()),
          invalidInput: z.array(z.string()),
        }),
      }),
      "Replayed",
    ),
    ...pickProblems(401, 403, 409, 415, 422),
  },
});

export const cancelJobs = createRoute({
  method: "post",
  path: "/admin/jobs/cancel",
  operationId: "adminCancelJobs",
  tags,
  middleware: [adminOnly] as const,
  summary: "Cancel the queued and running jobs a filter selects (count first, then confirm)",
  description:
    "Without `confirmCount`: 200 with the count. With it (unchanged, else 409 `count_changed`): each is cancelled as its owner's cancel would (credits released; a running job stops at its next stage).",
  request: { body: jsonBody(bulkBody) },
  responses: {
    200: jsonContent(previewSchema, "What would be cancelled"),
    202: jsonContent(z.object({ cancelled: z.array(z.string()) }), "Cancelled"),
    ...pickProblems(401, 403, 409, 415, 422),
  },
});
