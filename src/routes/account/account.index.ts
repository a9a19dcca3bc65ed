import { createRouter } from "../openapi";
import * as handlers from "./account.handlers";
import * as routes from "./account.routes";

export const accountRouter = createRouter()
  .openapi(routes.getMe, handlers.getMeHandler)
  .openapi(routes.changePassword, handlers.changePasswordHandler)
  .openapi(routes.listSessions, handlers.listSessionsHandler)
  .openapi(routes.endSession, handlers.endSessionHandler)
  .openapi(routes.endOtherSessions, handlers.endOtherSessionsHandler)
  .openapi(routes.createApiKey, handlers.createApiKeyHandler)
  .openapi(routes.listApiKeys, handlers.listApiKeysHandler)
  .openapi(routes.revokeApiKey, handlers.revokeApiKeyHandler);
