import { sql } from "drizzle-orm";
import { getDb } from "../db/client";

export type Check = "ok" | "fail";
export interface HealthReport {
  status: "ok" | "degraded";
  checks: { d1: Check; r2: Check; kv: Check; queue: Check };
}

async function probe(check: () => Promise<unknown>): Promise<Check> {
  try {
    await check();
    return "ok";
  } catch {
    return "fail";
  }
}

/** Whether D1, R2, KV answer and the queues are bound (GET /health and the cron's probe). */
export async function checkHealth(env: Env): Promise<HealthReport> {
  const [d1, r2, kv] = await Promise.all([
    probe(() => getDb(env.DB).get(sql`select 1`)),
    probe(() => env.MEDIA.head("health/probe")),
    probe(() => env.CACHE.get("health:probe")),
  ]);
  // Sending a probe message would wake the consumers; a bound producer is what can be checked cheaply.
  const queue =
    typeof env.VECTORIZE_QUEUE?.send === "function" && typeof env.ORGANIZE_QUEUE?.send === "function"
      ? "ok"
      : "fail";
  const checks = { d1, r2, kv, queue } as const;
  return { status: Object.values(checks).every((v) => v === "ok") ? "ok" : "degraded", checks };
}
