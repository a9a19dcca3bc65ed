import { createJobRegistry } from "./jobs/registry";
import { jobViewSchema } from "./jobs/views";
import { fingerprintJob } from "./media/fingerprints/job";
import { organizeJob } from "./organize/job";
import { storageExportJob } from "./storage/export-job";
import { storageImportJob } from "./storage/import-job";
import { vectorizeBatchJob, vectorizeJob } from "./vectorize/job";

/**
 * Every job type this Worker runs (ADR 0007). The engine in src/jobs knows none of them by name: it
 * is handed this registry by the queue handler, the cron and the jobs API. A new type (email,
 * webhook, import, …) is a `defineJobType({...})` in its feature folder, listed here, plus its queue
 * in wrangler.toml (producer, consumer, dead-letter queue) and `npm run types`.
 */
export const jobTypes = createJobRegistry([
  vectorizeJob,
  vectorizeBatchJob,
  organizeJob,
  fingerprintJob,
  storageImportJob,
  storageExportJob,
]);

/** The `Job` schema of the API, with the registered types and their result views. */
export const jobSchema = jobViewSchema(jobTypes);
