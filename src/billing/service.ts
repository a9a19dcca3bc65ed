import { and, desc, eq, lt, or } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Payment, payments } from "../db/billing-schema";
import type { Db } from "../db/client";
import { ApiError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { centsToDecimal } from "../lib/money";
import { decodeCursor, toPage } from "../lib/pagination";
import type { BillingConfig } from "./config";
import { captureStatements, failedCaptureStatement, pendingCaptureStatement } from "./ledger";
import { type PayPalCapture, type PayPalClient, PayPalError } from "./paypal";

export interface BillingDeps {
  db: Db;
  paypal: PayPalClient;
  config: BillingConfig;
  now: Date;
}

const unknownPack = (pack: string) =>
  new ApiError(422, "unknown_pack", `There is no credit pack "${pack}".`, {
    errors: [{ path: "pack", message: "Unknown credit pack", code: "unknown_pack" }],
  });

function paypalFailed(error: unknown): never {
  if (error instanceof PayPalError) {
    throw new ApiError(502, "paypal_error", "PayPal did not accept the request; try again in a moment.");
  }
  throw error;
}

/**
 * Starts a purchase: the payments row first (price and credits from config, never from the client),
 * then the PayPal order with that row's id as `custom_id` and PayPal-Request-Id — so a webhook can
 * always find the row, and a retried create can't make a second order.
 */
export async function createOrder(deps: BillingDeps, userId: string, packId: string, webOrigin: string) {
  const pack = deps.config.packs.find((p) => p.id === packId);
  if (!pack) throw unknownPack(packId);
  const nowIso = deps.now.toISOString();
  const id = newId("pay");
  await deps.db.insert(payments).values({
    id,
    userId,
    packId: pack.id,
    credits: pack.credits,
    amountCents: pack.priceCents,
    currency: pack.currency,
    createdAt: nowIso,
    updatedAt: nowIso,
  });
  const order = await deps.paypal
    .createOrder({
      requestId: `order-${id}`,
      customId: id,
      referenceId: pack.id,
      description: `${pack.credits} Edgecraft credits`,
      amount: centsToDecimal(pack.priceCents),
      currency: pack.currency,
      returnUrl: `${webOrigin}/account/billing?paid=${id}`,
      cancelUrl: `${webOrigin}/account/billing?cancelled=${id}`,
    })
    .catch(paypalFailed);
  await deps.db.update(payments).set({ orderId: order.id, updatedAt: nowIso }).where(eq(payments.id, id));
  return { orderId: order.id, approveUrl: order.approveUrl, paymentId: id };
}

type Batch = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

export type CaptureOutcome = "granted" | "pending" | "failed" | "mismatch";

/**
 * Applies a capture PayPal reported (by our capture call or a webhook) to its payment. Credits only
 * for a COMPLETED capture of exactly the payment's amount and currency. Returns the mail events to send.
 */
export async function applyCapture(
  db: Db,
  payment: Payment,
  capture: PayPalCapture,
  nowIso: string,
  extra: BatchItem<"sqlite">[] = [],
): Promise<{ outcome: CaptureOutcome; mailEvents: string[] }> {
  if (capture.amountCents !== payment.amountCents || capture.currency !== payment.currency) {
    console.log(
      JSON.stringify({
        level: "error",
        event: "paypal_amount_mismatch",
        paymentId: payment.id,
        captureId: capture.id,
      }),
    );
    if (extra.length) await db.batch(extra as Batch);
    return { outcome: "mismatch", mailEvents: [] };
  }
  if (capture.status === "COMPLETED") {
    const { statements, mailEvent } = captureStatements(db, payment.id, capture.id, nowIso);
    await db.batch([...extra, ...statements] as Batch);
    return { outcome: "granted", mailEvents: [mailEvent] };
  }
  const statement =
    capture.status === "PENDING"
      ? pendingCaptureStatement(db, payment.id, capture.id, nowIso)
      : failedCaptureStatement(db, payment.id, nowIso);
  await db.batch([statement, ...extra]);
  return { outcome: capture.status === "PENDING" ? "pending" : "failed", mailEvents: [] };
}

/**
 * Captures an order the buyer approved. Someone else's (or an unknown) order is 404. A capture
 * that already happened (a retry, or the webhook got there first) is read back from PayPal and
 * applied the same way — the ledger grants once per capture id.
 */
export async function captureOrder(deps: BillingDeps, userId: string, orderId: string) {
  const payment = await deps.db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.userId, userId)))
    .get();
  if (!payment) throw notFound("order");
  let order: Awaited<ReturnType<PayPalClient["captureOrder"]>>;
  try {
    order = await deps.paypal.captureOrder(orderId, `capture-${payment.id}`);
  } catch (error) {
    if (error instanceof PayPalError && error.issue === "ORDER_ALREADY_CAPTURED") {
      order = await deps.paypal.getOrder(orderId).catch(paypalFailed);
    } else if (
      error instanceof PayPalError &&
      (error.issue === "ORDER_NOT_APPROVED" || error.issue === "PAYER_ACTION_REQUIRED")
    ) {
      throw new ApiError(409, "order_not_approved", "The payment was not approved in PayPal yet.");
    } else {
      paypalFailed(error);
    }
  }
  const result = order.capture
    ? await applyCapture(deps.db, payment, order.capture, deps.now.toISOString())
    : { outcome: "pending" as const, mailEvents: [] };
  const fresh = (await deps.db.select().from(payments).where(eq(payments.id, payment.id)).get()) ?? payment;
  return { payment: fresh, mailEvents: result.mailEvents };
}

/** Payments, newest first: one user's, or (admin) everyone's. */
export async function listPayments(db: Db, query: { userId?: string; limit: number; cursor?: string }) {
  const cursor = decodeCursor(query.cursor);
  const conditions = [];
  if (query.userId) conditions.push(eq(payments.userId, query.userId));
  if (cursor) {
    conditions.push(
      or(
        lt(payments.createdAt, String(cursor.after)),
        and(eq(payments.createdAt, String(cursor.after)), lt(payments.id, cursor.id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(payments)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (p) => p.createdAt);
}

export async function getOwnPayment(db: Db, userId: string, paymentId: string): Promise<Payment> {
  const payment = await db
    .select()
    .from(payments)
    .where(and(eq(payments.id, paymentId), eq(payments.userId, userId)))
    .get();
  if (!payment) throw notFound("payment");
  return payment;
}
