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
  const retryBaseSeconds = Number(
    (env as unknown as Record<string, string | undefined>).JOB_RETRY_BASE_SECONDS ?? 10,
  );
  return runJobBatch(batch, env, { registry: jobTypes, retryBaseSeconds });
}
