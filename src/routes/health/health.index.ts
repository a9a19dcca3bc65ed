import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";
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

async function probe(check: () => Promise<unknown>): Promise<"ok" | "fail"> {
  try {
    await check();
    return "ok";
  } catch {
    return "fail";
  }
}

export const healthRouter = createRouter().openapi(health, async (c) => {
  const [d1, r2, kv] = await Promise.all([
    probe(() => getDb(c.env.DB).get(sql`select 1`)),
    probe(() => c.env.MEDIA.head("health/probe")),
    probe(() => c.env.CACHE.get("health:probe")),
  ]);
  // Sending a probe message would wake the consumers; a bound producer is what can be checked cheaply.
  const queue =
    typeof c.env.VECTORIZE_QUEUE?.send === "function" && typeof c.env.ORGANIZE_QUEUE?.send === "function"
      ? "ok"
      : "fail";
  const checks = { d1, r2, kv, queue } as const;
  const healthy = Object.values(checks).every((v) => v === "ok");
  const body = { status: healthy ? ("ok" as const) : ("degraded" as const), checks };
  return healthy ? c.json(body, 200) : c.json(body, 503);
});
