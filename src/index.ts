import { createApp } from "./app";
import { handleQueueBatch } from "./queues";
import { MINUTELY, runMinutely, runScheduled } from "./scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueueBatch,
  scheduled: (controller, env, ctx) => {
    const now = new Date(controller.scheduledTime);
    ctx.waitUntil(controller.cron === MINUTELY ? runMinutely(env, now) : runScheduled(env, now));
  },
} satisfies ExportedHandler<Env>;

export { MetricsAggregator } from "./durable/metrics";
export { OperationProgress } from "./durable/operation-progress";
export { RateLimiter } from "./durable/rate-limiter";
export { TusUpload } from "./durable/tus-upload";
