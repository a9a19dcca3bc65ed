import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { toJobView } from "../../jobs/views";
import { startFingerprintJob } from "../../media/fingerprints/job";
import { caller } from "../../policy";
import type { startFingerprints } from "./fingerprints.routes";

export const startFingerprintsHandler: RouteHandler<typeof startFingerprints, AppEnv> = async (c) => {
  const job = await startFingerprintJob(c.env, caller(c).userId, c.var.clock());
  return c.json({ job: toJobView(job) }, 202);
};
