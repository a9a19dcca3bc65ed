import { createRouter } from "../openapi";
import * as handlers from "./billing.handlers";
import * as routes from "./billing.routes";

export const billingRouter = createRouter()
  .openapi(routes.listPacks, handlers.listPacksHandler)
  .openapi(routes.createOrder, handlers.createOrderHandler)
  .openapi(routes.captureOrder, handlers.captureOrderHandler)
  .openapi(routes.listPayments, handlers.listPaymentsHandler)
  .openapi(routes.receipt, handlers.receiptHandler)
  .openapi(routes.webhook, handlers.webhookHandler);
