import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { ApiError } from "../../errors";
import { jobTypes } from "../../job-types";
import * as queries from "../../jobs/queries";
import * as service from "../../jobs/service";
import { toAttemptView, toJobView } from "../../jobs/views";
import { actsForEveryone, caller } from "../../policy";
import type { cancelJob, getJob, jobStats, listJobs, retryJobs, watchJob } from "./jobs.routes";

export const listJobsHandler: RouteHandler<typeof listJobs, AppEnv> = async (c) => {
  const principal = caller(c);
  const query = c.req.valid("query");
  if (query.scope === "all" && !actsForEveryone(principal)) {
    throw new ApiError(403, "forbidden", "Only administrators may list everyone's jobs.");
  }
  const page = await queries.listJobs(
    getDb(c.env.DB),
    query.scope === "all" ? null : principal.userId,
    query,
  );
  return c.json({ items: page.items.map(toJobView), nextCursor: page.nextCursor }, 200);
};

export const getJobHandler: RouteHandler<typeof getJob, AppEnv> = async (c) => {
  const { job, attempts } = await service.jobWithAttempts(c.env, caller(c), c.req.valid("param").id);
  return c.json(
    {
      job: toJobView(job),
      attempts: attempts.map(toAttemptView),
    },
    200,
  );
};

export const cancelJobHandler: RouteHandler<typeof cancelJob, AppEnv> = async (c) => {
  const job = await service.cancelJob(c.env, jobTypes, caller(c), c.req.valid("param").id, c.var.clock());
  return c.json({ job: toJobView(job) }, 200);
};

export const watchJobHandler: RouteHandler<typeof watchJob, AppEnv> = async (c) => {
  const socket = await service.watchJob(c.env, caller(c), c.req.valid("param").id, c.req.raw);
  if (!socket)
    throw new ApiError(426, "upgrade_required", "Connect with a WebSocket upgrade.", {
      headers: { Upgrade: "websocket" },
    });
  return socket;
};

export const retryJobsHandler: RouteHandler<typeof retryJobs, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const requeued = await service.retryFailedJobs(
    c.env,
    jobTypes,
    "jobIds" in body ? body.jobIds : "all",
    c.var.clock(),
  );
  return c.json({ requeued }, 202);
};

export const jobStatsHandler: RouteHandler<typeof jobStats, AppEnv> = async (c) => {
  return c.json(await queries.jobStats(getDb(c.env.DB)), 200);
};
