import { jobTypes } from "../job-types";
import { handleDeadLetters } from "../jobs/dead-letters";
import { runJobBatch } from "../jobs/runner";

/**
 * The Worker's one queue handler. Every job queue carries `{jobId}` messages; the job's row says its
 * type, and the registry says how to run it, so any job queue is consumed the same way. Names carry
 * an environment suffix (`edgecraft-vectorize-dev`, `edgecraft-vectorize-dlq`, …); dead-letter
 * queues end their jobs as failed.
 */
export async function handleQueueBatch(batch: MessageBatch, env: Env): Promise<void> {
  if (batch.queue.includes("-dlq")) return handleDeadLetters(batch, env, jobTypes);
  const vars = env as unknown as Record<string, string | undefined>;
  const retryBaseSeconds = Number(vars.JOB_RETRY_BASE_SECONDS ?? 10);
  // Optional: only the fault test shortens it, to see a dead consumer's job taken over in seconds.
  const leaseSeconds = vars.JOB_LEASE_SECONDS ? Number(vars.JOB_LEASE_SECONDS) : undefined;
  return runJobBatch(batch, env, { registry: jobTypes, retryBaseSeconds, leaseSeconds });
}
