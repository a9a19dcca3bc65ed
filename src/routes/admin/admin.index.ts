import { createRouter } from "../openapi";
import { endUserSessionsHandler, listUsersHandler, updateUserHandler } from "./admin.handlers";
import { endUserSessions, listUsers, updateUser } from "./admin.routes";

export const adminRouter = createRouter()
  .openapi(listUsers, listUsersHandler)
  .openapi(updateUser, updateUserHandler)
  .openapi(endUserSessions, endUserSessionsHandler);
