/**
 * One queue handler for the Worker, dispatching by queue name. Vectorize and organize consumers
 * (issues 5 and 6) register here; until then a message on an unknown queue is retried, never dropped.
 */
export async function handleQueueBatch(
  batch: MessageBatch,
  _env: Env,
  _ctx: ExecutionContext,
): Promise<void> {
  console.log(
    JSON.stringify({
      level: "warn",
      event: "queue_without_consumer",
      queue: batch.queue,
      size: batch.messages.length,
    }),
  );
  batch.retryAll({ delaySeconds: 60 });
}
