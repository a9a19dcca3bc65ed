import { createRouter } from "../openapi";
import { myUsageHandler, userUsageHandler } from "./usage.handlers";
import { myUsage, userUsage } from "./usage.routes";

export const usageRouter = createRouter()
  .openapi(myUsage, myUsageHandler)
  .openapi(userUsage, userUsageHandler);
