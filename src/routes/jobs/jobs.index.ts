import { createRouter } from "../openapi";
import * as handlers from "./jobs.handlers";
import * as routes from "./jobs.routes";

export const jobsRouter = createRouter()
  .openapi(routes.listJobs, handlers.listJobsHandler)
  .openapi(routes.getJob, handlers.getJobHandler)
  .openapi(routes.cancelJob, handlers.cancelJobHandler)
  .openapi(routes.watchJob, handlers.watchJobHandler)
  .openapi(routes.retryJobs, handlers.retryJobsHandler)
  .openapi(routes.jobStats, handlers.jobStatsHandler);
