import { createRouter } from "../openapi";
import * as handlers from "./admin-billing.handlers";
import * as routes from "./admin-billing.routes";

export const adminBillingRouter = createRouter()
  .openapi(routes.listAllPayments, handlers.listAllPaymentsHandler)
  .openapi(routes.refundPayment, handlers.refundPaymentHandler)
  .openapi(routes.adjustCredits, handlers.adjustCreditsHandler)
  .openapi(routes.changeQuota, handlers.changeQuotaHandler);
