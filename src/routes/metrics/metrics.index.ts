import { createRouter } from "../openapi";
import { metricsHandler, uptimeHandler } from "./metrics.handlers";
import { metrics, uptime } from "./metrics.routes";

export const metricsRouter = createRouter().openapi(metrics, metricsHandler).openapi(uptime, uptimeHandler);
