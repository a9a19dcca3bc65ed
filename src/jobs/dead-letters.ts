import { getDb } from "../db/client";
import { failJob, getJobRow } from "./lifecycle";
import { jobIdOf } from "./messages";
import { publishCurrent } from "./progress";
import type { JobRegistry } from "./registry";

/** The dead-letter queues' consumer: the job ran out of attempts; it fails with a readable reason. */
export async function handleDeadLetters(
  batch: MessageBatch,
  env: Env,
  registry: JobRegistry,
  clock: () => Date = () => new Date(),
): Promise<void> {
  const db = getDb(env.DB);
  for (const message of batch.messages) {
    const jobId = jobIdOf(message.body);
    if (jobId) {
      const job = await getJobRow(db, jobId);
      if (job && (job.status === "queued" || job.status === "running")) {
        const last = job.errorMessage ? ` The last error was: ${job.errorMessage}` : "";
        await failJob(
          db,
          { jobId },
          { code: "attempts_exhausted", message: `Gave up after ${job.attempts} attempts.${last}` },
          clock(),
        );
        await publishCurrent(env, db, registry, jobId, clock());
      }
    }
    message.ack();
  }
}
