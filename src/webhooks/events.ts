import type { Db } from "../db/client";

/**
 * Webhook event types plug in like job types (ADR 0007): a feature says how an outbox event of its
 * topic becomes a webhook message — whose it is and what `data` it carries — and lists it in
 * `src/webhook-events.ts`. The webhook engine (relay, consumer, endpoints) knows no event by name.
 */
export interface WebhookEventType {
  /** The outbox topic, and the message's `type` (e.g. `media.uploaded`). */
  type: string;
  /** What a person picking events reads. */
  description: string;
  /**
   * The event's owner and its `data`, read from D1 when the event is fanned out; null when the
   * subject is gone (nothing is sent).
   */
  describe(
    db: Db,
    payload: Record<string, unknown>,
  ): Promise<{ ownerId: string; data: Record<string, unknown> } | null>;
}

export const defineWebhookEvent = (definition: WebhookEventType): WebhookEventType => definition;

export interface WebhookCatalog {
  /** Every registered type, in registration order. */
  types(): [string, ...string[]];
  get(type: string): WebhookEventType | undefined;
  all(): readonly WebhookEventType[];
}

export function createWebhookCatalog(events: WebhookEventType[]): WebhookCatalog {
  const byType = new Map<string, WebhookEventType>();
  for (const event of events) {
    if (!/^[a-z]+(\.[a-z_]+)+$/.test(event.type))
      throw new Error(`webhook event "${event.type}" is malformed`);
    if (byType.has(event.type)) throw new Error(`webhook event "${event.type}" is registered twice`);
    byType.set(event.type, event);
  }
  if (events.length === 0) throw new Error("a webhook catalog needs at least one event type");
  return {
    types: () => [...byType.keys()] as [string, ...string[]],
    get: (type) => byType.get(type),
    all: () => events,
  };
}

/** `payload[key]` when it is a string (outbox payloads are JSON written by our own code). */
export function payloadString(payload: Record<string, unknown>, key: string): string | null {
  const value = payload[key];
  return typeof value === "string" ? value : null;
}
