import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { getDb } from "../../db/client";
import { SNAPSHOT_HEADER } from "../../durable/operation-progress";
import { ApiError } from "../../errors";
import { getJobRow, refreshParentJob, requestCancel } from "../../jobs/lifecycle";
import { messageFor, progressObject, publish } from "../../jobs/progress";
import * as queries from "../../jobs/queries";
import { enqueueJobs } from "../../jobs/runner";
import { toJobView } from "../../jobs/views";
import { caller } from "../../policy";
import type { cancelJob, getJob, jobStats, listJobs, retryJobs, watchJob } from "./jobs.routes";

export const listJobsHandler: RouteHandler<typeof listJobs, AppEnv> = async (c) => {
  const principal = caller(c);
  const query = c.req.valid("query");
  if (query.scope === "all" && principal.role !== "admin") {
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
  const db = getDb(c.env.DB);
  const job = await queries.getVisibleJob(db, caller(c), c.req.valid("param").id);
  const attempts = await queries.listAttempts(db, job.id);
  return c.json(
    {
      job: toJobView(job),
      attempts: attempts.map((a) => ({
        attempt: a.attempt,
        startedAt: a.startedAt,
        endedAt: a.endedAt,
        outcome: a.outcome,
        errorCode: a.errorCode,
        errorMessage: a.errorMessage,
        durationMs: a.durationMs,
        stageTimings: a.stageTimings ?? null,
      })),
    },
    200,
  );
};

export const cancelJobHandler: RouteHandler<typeof cancelJob, AppEnv> = async (c) => {
  const db = getDb(c.env.DB);
  const now = c.var.clock();
  const job = await queries.getVisibleJob(db, caller(c), c.req.valid("param").id);
  if (!["queued", "running"].includes(job.status)) {
    throw new ApiError(
      409,
      "job_finished",
      `The job already ${job.status === "cancelled" ? "was cancelled" : job.status}.`,
    );
  }
  // A batch parent is cancelled through its children; its own state follows theirs.
  const targets = job.type === "vectorize-batch" ? await queries.childIds(db, job.id) : [job.id];
  for (const id of targets) {
    if ((await requestCancel(db, id, now)) === "cancelled") {
      await publish(c.env, id, messageFor(toJobView((await getJobRow(db, id))!)));
    }
  }
  if (job.type === "vectorize-batch") await refreshParentJob(db, job.id, now);
  const after = toJobView((await getJobRow(db, job.id))!);
  await publish(c.env, job.id, messageFor(after));
  return c.json({ job: after }, 200);
};

export const watchJobHandler: RouteHandler<typeof watchJob, AppEnv> = async (c) => {
  const principal = caller(c);
  const job = await queries.getVisibleJob(getDb(c.env.DB), principal, c.req.valid("param").id);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "Connect with a WebSocket upgrade.", {
      headers: { Upgrade: "websocket" },
    });
  }
  // Cross-site WebSocket hijacking: a cookie-authenticated upgrade must come from our own pages.
  const origin = c.req.header("origin");
  const config = getConfig(c.env);
  const allowed = [config.appOrigin, new URL(c.req.url).origin, ...config.corsOrigins];
  if (principal.via === "session" && origin !== undefined && !allowed.includes(origin)) {
    throw new ApiError(403, "csrf_rejected", "WebSocket from another origin refused.");
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set(SNAPSHOT_HEADER, JSON.stringify(messageFor(toJobView(job))));
  return progressObject(c.env, job.id).fetch(new Request(c.req.url, { headers }));
};

export const retryJobsHandler: RouteHandler<typeof retryJobs, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const db = getDb(c.env.DB);
  const now = c.var.clock();
  const requeued = await queries.requeueFailed(db, "jobIds" in body ? body.jobIds : "all", now);
  await enqueueJobs(c.env, db, requeued, now);
  return c.json({ requeued: requeued.map((j) => j.id) }, 202);
};

export const jobStatsHandler: RouteHandler<typeof jobStats, AppEnv> = async (c) => {
  return c.json(await queries.jobStats(getDb(c.env.DB)), 200);
};
