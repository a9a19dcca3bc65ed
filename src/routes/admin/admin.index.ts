import { createRouter } from "../openapi";
import * as handlers from "./admin.handlers";
import * as routes from "./admin.routes";

export const adminRouter = createRouter()
  .openapi(routes.listUsers, handlers.listUsersHandler)
  .openapi(routes.updateUser, handlers.updateUserHandler)
  .openapi(routes.endUserSessions, handlers.endUserSessionsHandler)
  .openapi(routes.stats, handlers.statsHandler)
  .openapi(routes.devMail, handlers.devMailHandler);
