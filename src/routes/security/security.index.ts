import { createRouter } from "../openapi";
import * as handlers from "./security.handlers";
import * as routes from "./security.routes";

export const securityRouter = createRouter()
  .openapi(routes.resendVerification, handlers.resendVerificationHandler)
  .openapi(routes.setupTwoFactor, handlers.setupTwoFactorHandler)
  .openapi(routes.enableTwoFactor, handlers.enableTwoFactorHandler)
  .openapi(routes.disableTwoFactor, handlers.disableTwoFactorHandler);
