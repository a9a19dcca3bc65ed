import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { defineWebhookEvent, payloadString } from "../webhooks/events";
import { toJobView } from "./views";

/** `{job}` as GET /jobs/{id} shows it, for the job an outbox event names. */
async function describeJob(db: Db, payload: Record<string, unknown>) {
  const jobId = payloadString(payload, "jobId");
  const job = jobId ? await db.select().from(jobs).where(eq(jobs.id, jobId)).get() : undefined;
  return job ? { ownerId: job.userId, data: { job: toJobView(job) } } : null;
}

export const jobSucceededEvent = defineWebhookEvent({
  type: "job.succeeded",
  description: "A job (vectorize, organize, import, …) finished; `data.job` carries its result.",
  describe: describeJob,
});

export const jobFailedEvent = defineWebhookEvent({
  type: "job.failed",
  description: "A job failed for good; `data.job.error` says why.",
  describe: describeJob,
});
