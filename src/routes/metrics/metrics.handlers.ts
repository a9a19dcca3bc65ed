import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { uptimeReport } from "../../health/uptime";
import { jobMetrics, requestMetrics } from "../../metrics/query";
import type * as routes from "./metrics.routes";

export const metricsHandler: RouteHandler<typeof routes.metrics, AppEnv> = async (c) => {
  const to = c.var.clock();
  const from = new Date(to.getTime() - c.req.valid("query").minutes * 60_000);
  const db = getDb(c.env.DB);
  const [requests, jobs] = await Promise.all([requestMetrics(db, from, to), jobMetrics(db, from, to)]);
  return c.json({ from: from.toISOString(), to: to.toISOString(), requests, jobs }, 200);
};

export const uptimeHandler: RouteHandler<typeof routes.uptime, AppEnv> = async (c) => {
  return c.json(await uptimeReport(getDb(c.env.DB), c.var.clock()), 200);
};
