import { stringVars } from "../config";
import { handleEmailBatch, handleEmailDeadLetters } from "../email/consumer";
import { jobTypes } from "../job-types";
import { handleDeadLetters } from "../jobs/dead-letters";
import { leaseSecondsOf } from "../jobs/lifecycle";
import { runJobBatch } from "../jobs/runner";
import { webhookEvents } from "../webhook-events";
import { handleWebhookBatch, handleWebhookDeadLetters } from "../webhooks/consumer";
import { relaySoon } from "../webhooks/relay";

interface QueueConsumer {
  run(batch: MessageBatch, env: Env): Promise<void>;
  deadLetters(batch: MessageBatch, env: Env): Promise<void>;
}

/**
 * Every job queue carries `{jobId}` messages; the job's row says its type, and the registry says how
 * to run it, so any job queue is consumed the same way. A job batch may end jobs (outbox events),
 * so the webhook relay runs after it.
 */
const jobs: QueueConsumer = {
  async run(batch, env) {
    const vars = stringVars(env);
    const retryBaseSeconds = Number(vars.JOB_RETRY_BASE_SECONDS ?? 10);
    await runJobBatch(batch, env, {
      registry: jobTypes,
      retryBaseSeconds,
      leaseSeconds: leaseSecondsOf(env),
    });
    await relaySoon(env, webhookEvents, new Date());
  },
  deadLetters: async (batch, env) => {
    await handleDeadLetters(batch, env, jobTypes);
    await relaySoon(env, webhookEvents, new Date());
  },
};

/** Consumers of queues that carry something other than jobs, by queue family (name without suffixes). */
const OTHER_CONSUMERS: Record<string, QueueConsumer> = {
  "edgecraft-email": {
    run: (batch, env) => handleEmailBatch(batch, env),
    deadLetters: handleEmailDeadLetters,
  },
  "edgecraft-webhooks": {
    run: (batch, env) => handleWebhookBatch(batch, env),
    deadLetters: handleWebhookDeadLetters,
  },
};

/**
 * The Worker's one queue handler, dispatching by queue name (names carry an environment suffix:
 * `edgecraft-vectorize-dev`, `edgecraft-webhooks-dlq`, …): the email and webhook queues to their
 * consumers, every other queue to the job engine. A dead-letter queue's messages go to its consumer's
 * `deadLetters`.
 */
export async function handleQueueBatch(batch: MessageBatch, env: Env): Promise<void> {
  const family = Object.keys(OTHER_CONSUMERS).find(
    (name) => batch.queue === name || batch.queue.startsWith(`${name}-`),
  );
  const consumer = family ? OTHER_CONSUMERS[family]! : jobs;
  return batch.queue.includes("-dlq") ? consumer.deadLetters(batch, env) : consumer.run(batch, env);
}
