import { createRouter } from "../openapi";
import { endUserSessionsHandler, listUsersHandler, statsHandler, updateUserHandler } from "./admin.handlers";
import { endUserSessions, listUsers, stats, updateUser } from "./admin.routes";

export const adminRouter = createRouter()
  .openapi(listUsers, listUsersHandler)
  .openapi(updateUser, updateUserHandler)
  .openapi(endUserSessions, endUserSessionsHandler)
  .openapi(stats, statsHandler);
