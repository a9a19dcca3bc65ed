import { createApp } from "./app";
import { handleQueueBatch } from "./queues";
import { runScheduled } from "./scheduled";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueueBatch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime))),
} satisfies ExportedHandler<Env>;

export { OperationProgress } from "./durable/operation-progress";
export { RateLimiter } from "./durable/rate-limiter";
export { TusUpload } from "./durable/tus-upload";
