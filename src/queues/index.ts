import { handleEmailBatch, handleEmailDeadLetters } from "../email/consumer";
import { handleDeadLetters, runJobBatch } from "../jobs/runner";
import { organizeJob } from "../organize/job";
import { vectorizeJob } from "../vectorize/job";

interface QueueConsumer {
  run(batch: MessageBatch, env: Env): Promise<void>;
  deadLetters(batch: MessageBatch, env: Env): Promise<void>;
}

const jobConsumer: QueueConsumer = {
  run(batch, env) {
    const retryBaseSeconds = Number(
      (env as unknown as Record<string, string | undefined>).JOB_RETRY_BASE_SECONDS ?? 10,
    );
    return runJobBatch(batch, env, {
      handlers: { vectorize: vectorizeJob, organize: organizeJob },
      retryBaseSeconds,
    });
  },
  deadLetters: handleDeadLetters,
};

/** Consumers by queue family: the name without its `-dlq` and environment suffixes. */
const CONSUMERS: Record<string, QueueConsumer> = {
  "edgecraft-vectorize": jobConsumer,
  "edgecraft-organize": jobConsumer,
  "edgecraft-email": {
    run: (batch, env) => handleEmailBatch(batch, env),
    deadLetters: handleEmailDeadLetters,
  },
};

/**
 * The Worker's one queue handler, dispatching by queue name (names carry an environment suffix:
 * `edgecraft-vectorize-dev`, `edgecraft-email-dlq`, …). A dead-letter queue's messages go to its
 * family's `deadLetters`, the others to `run`.
 */
export async function handleQueueBatch(batch: MessageBatch, env: Env): Promise<void> {
  const family = Object.keys(CONSUMERS).find(
    (name) => batch.queue === name || batch.queue.startsWith(`${name}-`),
  );
  if (!family) {
    console.log(JSON.stringify({ level: "error", event: "queue_unknown", queue: batch.queue }));
    batch.retryAll();
    return;
  }
  const consumer = CONSUMERS[family]!;
  return batch.queue.includes("-dlq") ? consumer.deadLetters(batch, env) : consumer.run(batch, env);
}
