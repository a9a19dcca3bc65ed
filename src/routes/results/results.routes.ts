import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { PRICING } from "../../vectorize/options";
import { MAX_PNG_SIDE, RESULT_FORMATS } from "../../vectorize/render";
import { createRoute, jsonContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Vectorize"];
const jobsRead = requires({ kind: "user", scope: "jobs:read" });
const jobsWrite = requires({ kind: "user", scope: "jobs:write" });

const format = z.enum(RESULT_FORMATS).openapi({ description: "svg, pdf, eps, dxf or png" });

export const getResult = createRoute({
  operationId: "getResult",
  method: "get",
  path: "/jobs/{id}/result",
  tags,
  middleware: [jobsRead] as const,
  summary: "A vectorize job's result in any format, written from its stored trace",
  description:
    "SVG, PDF (vector, one page the size of the source at 96 px per inch), EPS (level 3), DXF (R12 polylines; strokes keep their width) or PNG (rendered with resvg; `width` px wide, at most 4096 px). No tracing again. The SVG comes with the job; another format answers 402 `format_locked` until it is unlocked (`POST /jobs/{id}/formats/{format}`); test results are free in every format. Results are kept VECTORIZE_RESULT_RETENTION_DAYS days.",
  request: {
    params: idParam("job"),
    query: z.object({
      format: format.default("svg"),
      width: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_PNG_SIDE)
        .optional()
        .openapi({ description: "png: width in px" }),
    }),
  },
  responses: {
    200: {
      content: {
        "image/svg+xml": { schema: z.string() },
        "application/pdf": { schema: z.string().openapi({ format: "binary" }) },
        "application/postscript": { schema: z.string() },
        "image/vnd.dxf": { schema: z.string() },
        "image/png": { schema: z.string().openapi({ format: "binary" }) },
      },
      description: "The file, named for what made it (Content-Disposition)",
    },
    ...pickProblems(401, 402, 403, 404, 409, 410, 422),
  },
});

const offerSchema = z
  .object({ format, price: z.number().int(), unlocked: z.boolean() })
  .openapi("ResultFormat");

export const listFormats = createRoute({
  operationId: "listFormats",
  method: "get",
  path: "/jobs/{id}/formats",
  tags,
  middleware: [jobsRead] as const,
  summary: "Every format of a job's result and what it costs",
  request: { params: idParam("job") },
  responses: {
    200: jsonContent(
      z.object({ formats: z.array(offerSchema), pricing: z.enum(PRICING), retainedUntil: z.string() }),
      "The formats",
    ),
    ...pickProblems(401, 403, 404, 409, 410),
  },
});

export const unlockFormat = createRoute({
  operationId: "unlockFormat",
  method: "post",
  path: "/jobs/{id}/formats/{format}",
  tags,
  middleware: [jobsWrite] as const,
  summary: "Unlock another format of a retained result (charged once)",
  description:
    "Charges VECTORIZE_FORMAT_CREDIT_COST once per job and format; unlocking again charges nothing. Only the job's owner can.",
  request: { params: idParam("job").extend({ format }) },
  responses: {
    200: jsonContent(
      z.object({ format, charged: z.number().int(), unlocked: z.literal(true), credits: z.number().int() }),
      "Unlocked",
    ),
    ...pickProblems(401, 402, 403, 404, 409, 410, 422, 429),
  },
});
