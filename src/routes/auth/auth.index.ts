import { createRouter } from "../openapi";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";

export const authRouter = createRouter()
  .openapi(routes.register, handlers.registerHandler)
  .openapi(routes.login, handlers.loginHandler)
  .openapi(routes.refresh, handlers.refreshHandler)
  .openapi(routes.logout, handlers.logoutHandler)
  .openapi(routes.verifyEmail, handlers.verifyEmailHandler)
  .openapi(routes.passwordReset, handlers.passwordResetHandler)
  .openapi(routes.passwordResetConfirm, handlers.passwordResetConfirmHandler);
