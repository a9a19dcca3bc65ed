import type { Db } from "../db/client";
import type { JobProgress } from "../db/jobs-schema";
import type { ProgressMessage } from "../durable/operation-progress";
import { refreshGroupJob } from "./groups";
import { getJobRow } from "./lifecycle";
import type { JobRegistry } from "./registry";
import { type JobView, toJobView } from "./views";

/** The job's progress object. */
export function progressObject(env: Env, jobId: string) {
  return env.OPERATION_PROGRESS.getByName(jobId);
}

/**
 * Sends a state to the job's watchers. Progress is best effort: D1 stays the record, so a failed
 * publish is logged, never allowed to fail the job.
 */
export async function publish(env: Env, jobId: string, message: ProgressMessage): Promise<void> {
  try {
    await progressObject(env, jobId).publish(message);
  } catch (error) {
    console.log(
      JSON.stringify({ level: "warn", event: "progress_publish_failed", jobId, error: String(error) }),
    );
  }
}

export const progressMessage = (p: JobProgress): ProgressMessage => ({ type: "progress", ...p });

/** The message a job's current state corresponds to: final for finished jobs, progress otherwise. */
export function messageFor(job: JobView): ProgressMessage {
  if (job.status === "succeeded" || job.status === "failed" || job.status === "cancelled") {
    return { type: job.status, job };
  }
  return progressMessage(job.progress);
}

/**
 * Tells watchers a job's new state (nothing while it runs: its steps publish), and rolls a child's
 * change up into its group job.
 */
export async function publishCurrent(
  env: Env,
  db: Db,
  registry: JobRegistry,
  jobId: string,
  now: Date,
): Promise<void> {
  const job = await getJobRow(db, jobId);
  if (!job || job.status === "running") return;
  await publish(env, jobId, messageFor(toJobView(job)));
  if (job.parentId) await publishGroup(env, db, registry, job.parentId, now);
}

/** Recomputes a group job from its children and tells its watchers. */
export async function publishGroup(
  env: Env,
  db: Db,
  registry: JobRegistry,
  parentId: string,
  now: Date,
): Promise<void> {
  const parent = await getJobRow(db, parentId);
  const type = parent && registry.get(parent.type);
  if (type?.kind !== "group") return;
  await refreshGroupJob(db, type, parentId, now);
  const after = await getJobRow(db, parentId);
  if (after) await publish(env, parentId, messageFor(toJobView(after)));
}
