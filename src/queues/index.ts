import { handleDeadLetters, runJobBatch } from "../jobs/runner";
import { organizeJob } from "../organize/job";
import { vectorizeJob } from "../vectorize/job";

/**
 * The Worker's one queue handler, dispatching by queue name (names carry an environment suffix:
 * `edgecraft-vectorize-dev`, `edgecraft-vectorize-dlq`, …). Dead-letter queues end their jobs as
 * failed; the others run jobs.
 */
export async function handleQueueBatch(batch: MessageBatch, env: Env): Promise<void> {
  if (batch.queue.includes("-dlq")) return handleDeadLetters(batch, env);
  const retryBaseSeconds = Number(
    (env as unknown as Record<string, string | undefined>).JOB_RETRY_BASE_SECONDS ?? 10,
  );
  return runJobBatch(batch, env, {
    handlers: { vectorize: vectorizeJob, organize: organizeJob },
    retryBaseSeconds,
  });
}
