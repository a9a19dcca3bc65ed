import { z } from "@hono/zod-openapi";
import { checkHealth } from "../../health/probe";
import { createRoute, createRouter, jsonContent } from "../openapi";

const checkSchema = z.enum(["ok", "fail"]);
const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ d1: checkSchema, r2: checkSchema, kv: checkSchema, queue: checkSchema }),
  })
  .openapi("Health");

const health = createRoute({
  operationId: "health",
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness of D1, R2, KV and the queues (no auth)",
  responses: {
    200: jsonContent(healthSchema, "All stores answer"),
    503: jsonContent(healthSchema, "At least one store does not answer"),
  },
});

export const healthRouter = createRouter().openapi(health, async (c) => {
  const body = await checkHealth(c.env);
  return body.status === "ok" ? c.json(body, 200) : c.json(body, 503);
});
