import { eq } from "drizzle-orm";
import { alertEvents, alertRules } from "../db/alerts-schema";
import type { Db } from "../db/client";
import { defineWebhookEvent, payloadString } from "../webhooks/events";

/**
 * `{alert}` for a rule's transition, owned by the admin who made the rule — so it reaches only their
 * endpoints — and only for rules that ask for webhooks.
 */
async function describeAlert(db: Db, payload: Record<string, unknown>) {
  const id = payloadString(payload, "alertEventId");
  const event = id ? await db.select().from(alertEvents).where(eq(alertEvents.id, id)).get() : undefined;
  const rule = event
    ? await db.select().from(alertRules).where(eq(alertRules.id, event.ruleId)).get()
    : undefined;
  if (!event || !rule?.webhook) return null;
  const { id: eventId, ruleId, ruleName, signal, value, threshold, at } = event;
  return {
    ownerId: rule.createdBy,
    data: { alert: { eventId, ruleId, rule: ruleName, signal, value, threshold, at } },
  };
}

export const alertFiredEvent = defineWebhookEvent({
  type: "alert.fired",
  description:
    "An alert rule you made (admins) went over its threshold; `data.alert` says which and by how much.",
  describe: describeAlert,
});

export const alertResolvedEvent = defineWebhookEvent({
  type: "alert.resolved",
  description: "An alert rule you made (admins) is back under its threshold.",
  describe: describeAlert,
});
