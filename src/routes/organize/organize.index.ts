import { createRouter } from "../openapi";
import * as handlers from "./organize.handlers";
import * as routes from "./organize.routes";

export const organizeRouter = createRouter()
  .openapi(routes.organize, handlers.organizeHandler)
  .openapi(routes.getSettings, handlers.getSettingsHandler)
  .openapi(routes.putSettings, handlers.putSettingsHandler)
  .openapi(routes.listFiles, handlers.listFilesHandler)
  .openapi(routes.listDuplicates, handlers.listDuplicatesHandler)
  .openapi(routes.applyPlan, handlers.applyHandler)
  .openapi(routes.rollbackPlan, handlers.rollbackHandler)
  .openapi(routes.report, handlers.reportHandler);
