import type { Principal } from "../app-env";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import type { Job } from "../db/jobs-schema";
import { SNAPSHOT_HEADER } from "../durable/operation-progress";
import { ApiError } from "../errors";
import { enqueueJobs } from "./dispatch";
import { getJobRow, requestCancel } from "./lifecycle";
import { messageFor, progressObject, publish, publishGroup } from "./progress";
import { childIds, getVisibleJob, listAttempts, requeueFailed } from "./queries";
import { deliveriesFor } from "./recovery";
import type { JobRegistry } from "./registry";
import { toJobView } from "./views";

/** A job the caller may see, with every attempt. */
export async function jobWithAttempts(env: Env, principal: Principal, jobId: string) {
  const db = getDb(env.DB);
  const job = await getVisibleJob(db, principal, jobId);
  return { job, attempts: await listAttempts(db, job.id) };
}

/**
 * Cancels a job the caller may see (see `requestCancel`); a group job is cancelled through its
 * children and its own state follows theirs. Watchers hear of every job that ended.
 */
export async function cancelJob(
  env: Env,
  registry: JobRegistry,
  principal: Principal,
  jobId: string,
  now: Date,
): Promise<Job> {
  const db = getDb(env.DB);
  const job = await getVisibleJob(db, principal, jobId);
  if (!["queued", "running"].includes(job.status)) {
    throw new ApiError(
      409,
      "job_finished",
      `The job already ${job.status === "cancelled" ? "was cancelled" : job.status}.`,
    );
  }
  const isGroup = registry.get(job.type)?.kind === "group";
  const targets = isGroup ? await childIds(db, job.id) : [job.id];
  for (const id of targets) {
    if ((await requestCancel(db, id, now)) === "cancelled") {
      await publish(env, id, messageFor(toJobView((await getJobRow(db, id))!)));
    }
  }
  if (isGroup) await publishGroup(env, db, registry, job.id, now);
  else await publish(env, job.id, messageFor(toJobView((await getJobRow(db, job.id))!)));
  return (await getJobRow(db, job.id))!;
}

/**
 * Admin: puts failed jobs back on their queues (see `requeueFailed`), the given ones or all.
 * Returns the ids that were requeued.
 */
export async function retryFailedJobs(
  env: Env,
  registry: JobRegistry,
  jobIds: string[] | "all",
  now: Date,
): Promise<string[]> {
  const db = getDb(env.DB);
  const requeued = await requeueFailed(db, jobIds, now);
  await enqueueJobs(env, db, deliveriesFor(registry, requeued), now);
  return requeued.map((j) => j.id);
}

/**
 * Connects a WebSocket to the job's progress object, which sends the current state first. Null when
 * the request is not a WebSocket upgrade. A cookie-authenticated upgrade must come from our own
 * pages (cross-site WebSocket hijacking).
 */
export async function watchJob(
  env: Env,
  principal: Principal,
  jobId: string,
  request: Request,
): Promise<Response | null> {
  const job = await getVisibleJob(getDb(env.DB), principal, jobId);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return null;
  const origin = request.headers.get("origin");
  const config = getConfig(env);
  const allowed = [config.appOrigin, new URL(request.url).origin, ...config.corsOrigins];
  if (principal.via === "session" && origin !== null && !allowed.includes(origin)) {
    throw new ApiError(403, "csrf_rejected", "WebSocket from another origin refused.");
  }
  const headers = new Headers(request.headers);
  headers.set(SNAPSHOT_HEADER, JSON.stringify(messageFor(toJobView(job))));
  return progressObject(env, job.id).fetch(new Request(request.url, { headers }));
}
