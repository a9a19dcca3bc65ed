import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { createRoute, jsonContent, pickProblems } from "../openapi";

const figures = {
  requests: z.number().int(),
  perSecond: z.number(),
  errorRate: z.number().openapi({ description: "Share of 5xx answers, 0–1" }),
  avgMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
};

export const metrics = createRoute({
  method: "get",
  path: "/admin/metrics",
  operationId: "adminMetrics",
  tags: ["Admin"],
  middleware: [requires({ kind: "admin" })] as const,
  summary:
    "Requests per route (rate, p50/p95/p99, error rate) and jobs (per minute, queue wait p95, failures, dead letters)",
  description:
    "Request figures come from the minute rollups the metrics Durable Objects flush to D1 every 10 s (the current minute is still filling). Percentiles are the bound of the latency bucket they fall in (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 ms).",
  request: { query: z.object({ minutes: z.coerce.number().int().min(1).max(10_080).default(60) }) },
  responses: {
    200: jsonContent(
      z
        .object({
          from: z.string(),
          to: z.string(),
          requests: z.object({
            total: z.object(figures),
            routes: z.array(z.object({ route: z.string(), ...figures })),
            series: z.array(z.object({ minute: z.string(), ...figures })),
          }),
          jobs: z.object({
            perMinute: z.array(
              z.object({ minute: z.string(), attempts: z.number().int(), failed: z.number().int() }),
            ),
            queueWaitP95Ms: z.number(),
            failureRate: z.number(),
            finished: z.number().int(),
            deadLettered: z.number().int(),
          }),
        })
        .openapi("Metrics"),
      "Metrics",
    ),
    ...pickProblems(401, 403, 422),
  },
});

const uptimeSchema = z.object({
  probes: z.number().int(),
  uptime: z.number().nullable().openapi({ description: "Share of passing probes, 0–1; null without probes" }),
});

export const uptime = createRoute({
  method: "get",
  path: "/admin/health",
  operationId: "adminUptime",
  tags: ["Admin"],
  middleware: [requires({ kind: "admin" })] as const,
  summary: "Uptime over 24 h and 7 d from the per-minute health probes, and the last failed probes",
  responses: {
    200: jsonContent(
      z
        .object({
          day: uptimeSchema,
          week: uptimeSchema,
          lastFailures: z.array(z.object({ at: z.string(), checks: z.record(z.string(), z.string()) })),
        })
        .openapi("Uptime"),
      "Uptime",
    ),
    ...pickProblems(401, 403),
  },
});
