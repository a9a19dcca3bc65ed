import { defineWebhookEvent, payloadString, type WebhookEventType } from "../webhooks/events";

/** The plan's result as the job that applied or rolled it back reported it (stages/finish.ts). */
function describeOutcome(payload: Record<string, unknown>) {
  const ownerId = payloadString(payload, "ownerId");
  const result = payload.result;
  return Promise.resolve(
    ownerId && result && typeof result === "object"
      ? { ownerId, data: { organize: result as Record<string, unknown> } }
      : null,
  );
}

export const organizeAppliedEvent: WebhookEventType = defineWebhookEvent({
  type: "organize.applied",
  description: "An organize plan was applied: files moved; `data.organize` counts them by status.",
  describe: (_db, payload) => describeOutcome(payload),
});

export const organizeRolledBackEvent: WebhookEventType = defineWebhookEvent({
  type: "organize.rolled_back",
  description: "An applied plan was rolled back: every moved file is where it was.",
  describe: (_db, payload) => describeOutcome(payload),
});
