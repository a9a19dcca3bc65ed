import type { JobProgress } from "../db/jobs-schema";
import type { ProgressMessage } from "../durable/operation-progress";
import type { JobView } from "./views";

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
