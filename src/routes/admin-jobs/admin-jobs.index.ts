import { createRouter } from "../openapi";
import * as handlers from "./admin-jobs.handlers";
import * as routes from "./admin-jobs.routes";

// Mounted after the jobs router, so GET /admin/jobs/stats is matched before /admin/jobs/{id}.
export const adminJobsRouter = createRouter()
  .openapi(routes.exploreJobs, handlers.exploreJobsHandler)
  .openapi(routes.replayJobs, handlers.replayJobsHandler)
  .openapi(routes.cancelJobs, handlers.cancelJobsHandler)
  .openapi(routes.explorerJob, handlers.explorerJobHandler)
  .openapi(routes.explorerJobSource, handlers.explorerJobSourceHandler);
