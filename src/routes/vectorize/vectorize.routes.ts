import { createRoute, z } from "@hono/zod-openapi";
import { jobSchema } from "../../job-types";
import { requires } from "../../policy";
import { traceOptionsSchema } from "../../wasm/shared";
import { jsonBody, jsonContent, pickProblems } from "../openapi";

const tags = ["Vectorize"];
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });

const mediaId = z.string().min(1).max(64).openapi({ example: "med_0123456789abcdefghij" });
const options = traceOptionsSchema.default({}).openapi("TraceOptions", {
  description: "Tracer options; `preset` (logo, illustration, poster, lineart) fills sensible defaults.",
});

export const vectorize = createRoute({
  method: "post",
  path: "/vectorize",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Vectorize one image (queued job, or `?sync=true` for small images)",
  description:
    "Queues a job and answers 202 with it; follow it at `/jobs/{id}` or `/jobs/{id}/ws`. The same bytes with the same options reuse the earlier SVG at once. With `sync=true` an image up to VECTORIZE_SYNC_MAX_PIXELS is traced in the request and the SVG is the answer (not stored).",
  request: {
    query: z.object({ sync: z.enum(["true", "false"]).optional() }),
    body: jsonBody(z.strictObject({ mediaId, options })),
  },
  responses: {
    200: { content: { "image/svg+xml": { schema: z.string() } }, description: "The SVG (sync mode)" },
    202: jsonContent(z.object({ job: jobSchema }), "Queued (or already succeeded from the cache)"),
    ...pickProblems(400, 401, 402, 403, 404, 409, 413, 415, 422, 429),
  },
});

export const vectorizeBatch = createRoute({
  method: "post",
  path: "/vectorize/batch",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Vectorize many images: one parent job, one child per image",
  request: {
    body: jsonBody(z.strictObject({ mediaIds: z.array(mediaId).min(1).max(100), options })),
  },
  responses: {
    202: jsonContent(
      z.object({ job: jobSchema }),
      "The parent job; its progress is the sum of its children's",
    ),
    ...pickProblems(400, 401, 402, 403, 404, 409, 413, 415, 422, 429),
  },
});
