import { createRouter } from "../openapi";
import * as handlers from "./organize.handlers";
import * as routes from "./organize.routes";
import * as rulesHandlers from "./rules.handlers";
import * as rulesRoutes from "./rules.routes";

export const organizeRouter = createRouter()
  .openapi(routes.organize, handlers.organizeHandler)
  .openapi(routes.getSettings, handlers.getSettingsHandler)
  .openapi(routes.putSettings, handlers.putSettingsHandler)
  .openapi(rulesRoutes.getRules, rulesHandlers.getRulesHandler)
  .openapi(rulesRoutes.putRules, rulesHandlers.putRulesHandler)
  .openapi(rulesRoutes.previewRules, rulesHandlers.previewRulesHandler)
  .openapi(routes.listFiles, handlers.listFilesHandler)
  .openapi(routes.listDuplicates, handlers.listDuplicatesHandler)
  .openapi(routes.applyPlan, handlers.applyHandler)
  .openapi(routes.rollbackPlan, handlers.rollbackHandler)
  .openapi(routes.report, handlers.reportHandler);
