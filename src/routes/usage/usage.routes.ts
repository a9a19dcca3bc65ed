import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { createRoute, jsonContent, pickProblems } from "../openapi";

const count = z.number().int();

const usageSchema = z
  .object({
    from: z.string().openapi({ description: "First UTC day (YYYY-MM-DD)" }),
    to: z.string().openapi({ description: "Last UTC day, today" }),
    totals: z.object({
      apiCalls: count,
      bytesUploaded: count,
      bytesServed: count,
      jobs: count,
      creditsSpent: count,
    }),
    days: z.array(
      z.object({
        day: z.string(),
        apiCalls: count,
        apiCallsByClass: z
          .record(z.string(), count)
          .openapi({ description: "Calls per route class: the path segment after /api/v1 (media, jobs, …)" }),
        bytesUploaded: count.openapi({
          description: "Request bodies sent to the API, and bytes storage imports copied in",
        }),
        bytesServed: count.openapi({
          description:
            "Answers of a known length (files, thumbnails, results), and bytes storage exports wrote out",
        }),
        jobs: z.array(z.object({ type: z.string(), outcome: z.string(), count })).openapi({
          description: "Jobs created that day by type and their status now; a batch counts once",
        }),
        creditsSpent: count.openapi({ description: "Credits of the jobs that succeeded that day" }),
      }),
    ),
  })
  .openapi("Usage");

const query = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) });

const description =
  "API calls by route class and bytes come from the request rollups the metrics Durable Objects flush every 10 s (the last seconds may be missing); jobs and credits from the job rows and the credit ledger.";

export const myUsage = createRoute({
  method: "get",
  path: "/me/usage",
  operationId: "myUsage",
  tags: ["Account"],
  middleware: [requires({ kind: "user", scope: "account:read" })] as const,
  summary: "Your use per UTC day: API calls by route class, bytes, jobs by type and outcome, credits spent",
  description,
  request: { query },
  responses: { 200: jsonContent(usageSchema, "Usage"), ...pickProblems(401, 403, 422) },
});

export const userUsage = createRoute({
  method: "get",
  path: "/admin/users/{id}/usage",
  operationId: "adminUserUsage",
  tags: ["Admin"],
  middleware: [requires({ kind: "admin" })] as const,
  summary: "A user's use per UTC day (as GET /me/usage)",
  description,
  request: { params: z.object({ id: z.string().min(1).max(64) }), query },
  responses: { 200: jsonContent(usageSchema, "Usage"), ...pickProblems(401, 403, 404, 422) },
});
