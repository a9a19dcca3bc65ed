import { createRouter } from "../openapi";
import * as handlers from "./audit.handlers";
import * as routes from "./audit.routes";

export const auditRouter = createRouter()
  .openapi(routes.listAudit, handlers.listAuditHandler)
  .openapi(routes.listSecurityEvents, handlers.listSecurityEventsHandler);
