import { alertFiredEvent, alertResolvedEvent } from "./alerts/webhook-events";
import { jobFailedEvent, jobSucceededEvent } from "./jobs/webhook-events";
import { mediaUploadedEvent } from "./media/webhook-events";
import { organizeAppliedEvent, organizeRolledBackEvent } from "./organize/webhook-events";
import { createWebhookCatalog } from "./webhooks/events";

/**
 * Every event a webhook endpoint can subscribe to. The webhook engine (src/webhooks) knows none of
 * them by name: a feature defines its events beside its code (`defineWebhookEvent`) and lists them
 * here; its outbox rows of that topic then become deliveries.
 */
export const webhookEvents = createWebhookCatalog([
  jobSucceededEvent,
  jobFailedEvent,
  mediaUploadedEvent,
  organizeAppliedEvent,
  organizeRolledBackEvent,
  alertFiredEvent,
  alertResolvedEvent,
]);
