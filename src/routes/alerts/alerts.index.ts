import { createRouter } from "../openapi";
import * as handlers from "./alerts.handlers";
import * as routes from "./alerts.routes";

// The history route comes before `{id}` routes so `events` is never read as an id.
export const alertsRouter = createRouter()
  .openapi(routes.listAlertEvents, handlers.listAlertEventsHandler)
  .openapi(routes.listAlertRules, handlers.listAlertRulesHandler)
  .openapi(routes.createAlertRule, handlers.createAlertRuleHandler)
  .openapi(routes.updateAlertRule, handlers.updateAlertRuleHandler)
  .openapi(routes.deleteAlertRule, handlers.deleteAlertRuleHandler);
