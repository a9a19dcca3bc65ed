import { eq, or } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { payments, paypalWebhookEvents } from "../db/billing-schema";
import { type Db, isConstraintError } from "../db/client";
import { ApiError } from "../errors";
import { parseMoney } from "../lib/money";
import type { BillingConfig } from "./config";
import { refundStatements } from "./ledger";
import { type PayPalClient, parseCapture } from "./paypal";
import { applyCapture } from "./service";

/**
 * How far a transmission's time may be from ours. PayPal retries a failed delivery as a new
 * transmission (new id and time), so a genuine delivery is always fresh; an old one is a replay.
 */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const unverified = (detail: string) => new ApiError(400, "webhook_unverified", detail);
const replayed = () =>
  new ApiError(400, "webhook_replayed", "This webhook transmission was already received.");

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const text = (v: unknown) => (typeof v === "string" ? v : null);

/** The capture a refund-shaped resource belongs to: its `up` link ends in /captures/{id}. */
function captureIdFromLinks(resource: Json): string | null {
  for (const link of (resource.links as unknown[] | undefined) ?? []) {
    const { rel, href } = obj(link);
    const match = rel === "up" && typeof href === "string" ? /\/captures\/([^/?#]+)/.exec(href) : null;
    if (match) return decodeURIComponent(match[1]!);
  }
  return null;
}

export interface WebhookResult {
  outcome: string;
  mailEvents: string[];
}

/**
 * Receives a PayPal webhook. Refused with 400 and no change: missing signature headers, a
 * transmission time outside the tolerance, a transmission id seen before (replay), or a signature
 * PayPal's verify-webhook-signature API does not confirm. Then PAYMENT.CAPTURE.COMPLETED grants a
 * pack's credits (PENDING, DENIED and DECLINED mark the payment pending or failed) and REFUNDED / REVERSED debit them — in the same batch as the row that records the
 * transmission, so a replay racing the original can't apply twice.
 */
export async function handlePayPalWebhook(
  deps: { db: Db; paypal: PayPalClient; config: BillingConfig; now: Date },
  headers: Headers,
  rawBody: string,
): Promise<WebhookResult> {
  const h = (name: string) => headers.get(`paypal-${name}`);
  const transmissionId = h("transmission-id");
  const transmissionTime = h("transmission-time");
  const signature = h("transmission-sig");
  const certUrl = h("cert-url");
  const authAlgo = h("auth-algo");
  if (!transmissionId || !transmissionTime || !signature || !certUrl || !authAlgo) {
    throw unverified("PayPal's signature headers are missing.");
  }
  const sentAt = Date.parse(transmissionTime);
  if (!Number.isFinite(sentAt) || Math.abs(deps.now.getTime() - sentAt) > WEBHOOK_TOLERANCE_SECONDS * 1000) {
    throw replayed();
  }
  const seen = await deps.db
    .select({ id: paypalWebhookEvents.transmissionId })
    .from(paypalWebhookEvents)
    .where(eq(paypalWebhookEvents.transmissionId, transmissionId))
    .get();
  if (seen) throw replayed();
  let event: Json;
  try {
    event = obj(JSON.parse(rawBody));
  } catch {
    throw unverified("The body is not JSON.");
  }
  const eventId = text(event.id);
  const eventType = text(event.event_type);
  if (!eventId || !eventType) throw unverified("The body is not a PayPal event.");
  const genuine = await deps.paypal.verifyWebhookSignature({
    authAlgo,
    certUrl,
    transmissionId,
    transmissionSig: signature,
    transmissionTime,
    webhookId: deps.config.paypal.webhookId,
    rawEvent: rawBody,
  });
  if (!genuine) throw unverified("PayPal did not confirm this webhook's signature.");

  const nowIso = deps.now.toISOString();
  const resource = obj(event.resource);
  const record = (outcome: string) =>
    deps.db.insert(paypalWebhookEvents).values({
      transmissionId,
      eventId,
      eventType,
      resourceId: text(resource.id),
      outcome,
      receivedAt: nowIso,
    });
  try {
    return await apply(deps, eventType, event, resource, record, nowIso);
  } catch (error) {
    if (
      isConstraintError(
        error,
        /paypal_webhook_events\.transmission_id|UNIQUE constraint failed: paypal_webhook_events/,
      )
    ) {
      throw replayed();
    }
    throw error;
  }
}

/**
 * Events whose resource is a capture, applied by its status (`applyCapture`): COMPLETED grants, PENDING
 * (funds not yet credited, e.g. an eCheck) waits, DENIED / DECLINED (a capture PayPal would not
 * complete, also a pending one it later denied) fails the payment. None undoes a granted purchase.
 */
const CAPTURE_EVENTS = new Set([
  "PAYMENT.CAPTURE.COMPLETED",
  "PAYMENT.CAPTURE.PENDING",
  "PAYMENT.CAPTURE.DENIED",
  "PAYMENT.CAPTURE.DECLINED",
]);

async function apply(
  deps: { db: Db },
  eventType: string,
  event: Json,
  resource: Json,
  record: (outcome: string) => BatchItem<"sqlite">,
  nowIso: string,
): Promise<WebhookResult> {
  if (CAPTURE_EVENTS.has(eventType)) return applyCaptureEvent(deps.db, resource, record, nowIso);
  if (eventType === "PAYMENT.CAPTURE.REFUNDED" || eventType === "PAYMENT.CAPTURE.REVERSED") {
    const kind = eventType === "PAYMENT.CAPTURE.REVERSED" ? "reversal" : "refund";
    return applyRefund(deps.db, kind, event, resource, record, nowIso);
  }
  await record("ignored");
  return { outcome: "ignored", mailEvents: [] };
}

/** A capture event: the payment it names (by our id, or its PayPal order) follows its status. */
async function applyCaptureEvent(
  db: Db,
  resource: Json,
  record: (outcome: string) => BatchItem<"sqlite">,
  nowIso: string,
): Promise<WebhookResult> {
  const capture = parseCapture(resource);
  const orderId = text(obj(obj(resource.supplementary_data).related_ids).order_id);
  const payment =
    capture &&
    (await db
      .select()
      .from(payments)
      .where(or(eq(payments.id, capture.customId ?? ""), eq(payments.orderId, orderId ?? "")))
      .get());
  if (!capture || !payment) {
    await record("unknown_payment");
    return { outcome: "unknown_payment", mailEvents: [] };
  }
  const result = await applyCapture(db, payment, capture, nowIso, [record("capture")]);
  return { outcome: result.outcome, mailEvents: result.mailEvents };
}

/** A refund or reversal of a capture: its amount taken back, recorded once. */
async function applyRefund(
  db: Db,
  kind: "refund" | "reversal",
  event: Json,
  resource: Json,
  record: (outcome: string) => BatchItem<"sqlite">,
  nowIso: string,
): Promise<WebhookResult> {
  // A refund-shaped resource names its capture in the `up` link; a capture-shaped one is the capture.
  const isCapture = event.resource_type === "capture";
  const captureId = isCapture ? text(resource.id) : captureIdFromLinks(resource);
  const refundId = isCapture ? `reversal-${captureId}` : text(resource.id);
  const amount = obj(resource.amount);
  const cents = parseMoney(text(amount.value) ?? "");
  const currency = text(amount.currency_code);
  if (!captureId || !refundId || cents === null || !currency) {
    await record("malformed");
    return { outcome: "malformed", mailEvents: [] };
  }
  await db.batch([
    record(kind),
    ...refundStatements(db, { refundId, captureId, kind, amountCents: cents, currency }, nowIso),
  ]);
  return { outcome: kind, mailEvents: [] };
}
