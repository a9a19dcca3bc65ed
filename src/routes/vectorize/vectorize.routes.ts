import { z } from "@hono/zod-openapi";
import { jobSchema } from "../../job-types";
import { requires } from "../../policy";
import { PRICING, vectorizeOptionsSchema } from "../../vectorize/options";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";

const tags = ["Vectorize"];
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });
const jobsRead = requires({ kind: "user", scope: "jobs:read" });

const mediaId = z.string().min(1).max(64).openapi({ example: "med_0123456789abcdefghij" });
const options = vectorizeOptionsSchema.default({}).openapi("TraceOptions", {
  description:
    'Tracer options; `preset` (logo, illustration, poster, lineart) fills sensible defaults. `mode: "centerline"` traces lines as single stroked paths; `palette` snaps colours; `target` auto-tunes.',
});
const pricing = z.enum(PRICING).default("production").openapi({
  description:
    "`test`: free, watermarked; `preview`: cheap (VECTORIZE_PREVIEW_CREDIT_COST), traced from a reduced copy; `production`: the full trace (VECTORIZE_CREDIT_COST)",
});

export const vectorize = createRoute({
  operationId: "vectorize",
  method: "post",
  path: "/vectorize",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Vectorize one image (queued job, or `?sync=true` for small images)",
  description:
    "Queues a job and answers 202 with it; follow it at `/jobs/{id}` or `/jobs/{id}/ws`. The same bytes with the same options and pricing reuse the earlier result at once. With `sync=true` an image up to VECTORIZE_SYNC_MAX_PIXELS is traced in the request and the SVG is the answer (not stored); it costs the credits a job of that pricing costs (402 when the balance is short). `POST /vectorize/quote` tells the price first.",
  request: {
    query: z.object({ sync: z.enum(["true", "false"]).optional() }),
    body: jsonBody(z.strictObject({ mediaId, options, pricing })),
  },
  responses: {
    200: {
      content: { "image/svg+xml": { schema: z.string() } },
      description: "The SVG (sync mode); X-Trace-Quality: `ssim=…; deltaE=…; gmsd=…`",
    },
    202: jsonContent(z.object({ job: jobSchema }), "Queued (or already succeeded from the cache)"),
    ...pickProblems(400, 401, 402, 403, 404, 409, 413, 415, 422, 429),
  },
});

export const vectorizeBatch = createRoute({
  operationId: "vectorizeBatch",
  method: "post",
  path: "/vectorize/batch",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Vectorize many images: one parent job, one child per image",
  request: {
    body: jsonBody(z.strictObject({ mediaIds: z.array(mediaId).min(1).max(100), options, pricing })),
  },
  responses: {
    202: jsonContent(
      z.object({ job: jobSchema }),
      "The parent job; its progress is the sum of its children's",
    ),
    ...pickProblems(400, 401, 402, 403, 404, 409, 413, 415, 422, 429),
  },
});

export const quoteSchema = z
  .object({
    pricing: z.enum(PRICING),
    cost: z.number().int().openapi({ description: "Credits the request would reserve" }),
    credits: z.number().int().openapi({ description: "Your balance now" }),
    enough: z.boolean(),
    formatCost: z.number().int().openapi({ description: "Credits each format other than SVG costs later" }),
    items: z.array(z.object({ mediaId: z.string(), cost: z.number().int(), cached: z.boolean() })),
  })
  .openapi("VectorizeQuote");

export const vectorizeQuote = createRoute({
  operationId: "vectorizeQuote",
  method: "post",
  path: "/vectorize/quote",
  tags,
  middleware: [jobsRead] as const,
  summary: "What vectorizing these images would cost, before you confirm",
  description:
    "Checks the images and options as `POST /vectorize` would and answers the price per image (a cached result costs VECTORIZE_CACHE_HIT_COST) and your balance. Nothing is reserved.",
  request: {
    body: jsonBody(z.strictObject({ mediaIds: z.array(mediaId).min(1).max(100), options, pricing })),
  },
  responses: {
    200: jsonContent(quoteSchema, "The quote"),
    ...pickProblems(400, 401, 403, 404, 409, 413, 415, 422, 429),
  },
});
