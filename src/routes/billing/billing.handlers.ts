import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { billingConfig } from "../../billing/config";
import * as billing from "../../billing/service";
import { paypalFor } from "../../billing/transport";
import { handlePayPalWebhook } from "../../billing/webhook";
import { getConfig } from "../../config";
import type { Payment } from "../../db/billing-schema";
import { getDb } from "../../db/client";
import { templates } from "../../email/templates";
import { ApiError } from "../../errors";
import { centsToDecimal, formatMoney } from "../../lib/money";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { sendMailLater } from "../mail";
import type * as routes from "./billing.routes";

export function paymentView(p: Payment) {
  return {
    id: p.id,
    pack: p.packId,
    credits: p.credits,
    amount: centsToDecimal(p.amountCents),
    currency: p.currency,
    status: p.status,
    refunded: centsToDecimal(p.refundedCents),
    orderId: p.orderId,
    captureId: p.captureId,
    createdAt: p.createdAt,
    capturedAt: p.capturedAt,
    receiptUrl: p.captureId ? `/api/v1/billing/payments/${p.id}/receipt` : null,
  };
}

/** PayPal for this request: the configured API, or in dev the in-process stand-in (its webhooks come back in here). */
export function paypalDeps(c: Context<AppEnv>) {
  const origin = new URL(c.req.url).origin;
  return paypalFor(c.env, origin, c.var.selfFetch);
}

export const listPacksHandler: RouteHandler<typeof routes.listPacks, AppEnv> = async (c) => {
  const packs = billingConfig(c.env).packs.map((p) => ({
    id: p.id,
    credits: p.credits,
    price: centsToDecimal(p.priceCents),
    currency: p.currency,
  }));
  return c.json({ packs }, 200);
};

export const createOrderHandler: RouteHandler<typeof routes.createOrder, AppEnv> = async (c) => {
  const { userId } = caller(c);
  await spendRateLimit(c, "billing-user", userId);
  const { client, config } = paypalDeps(c);
  const order = await billing.createOrder(
    { db: getDb(c.env.DB), paypal: client, config, now: c.var.clock() },
    userId,
    c.req.valid("json").pack,
    getConfig(c.env).appOrigin,
  );
  return c.json(order, 201);
};

export const captureOrderHandler: RouteHandler<typeof routes.captureOrder, AppEnv> = async (c) => {
  const { userId } = caller(c);
  await spendRateLimit(c, "billing-user", userId);
  const { client, config } = paypalDeps(c);
  const { payment, mailEvents } = await billing.captureOrder(
    { db: getDb(c.env.DB), paypal: client, config, now: c.var.clock() },
    userId,
    c.req.valid("param").orderId,
  );
  sendMailLater(c, mailEvents);
  return c.json({ payment: paymentView(payment) }, 200);
};

export const listPaymentsHandler: RouteHandler<typeof routes.listPayments, AppEnv> = async (c) => {
  const page = await billing.listPayments(getDb(c.env.DB), {
    ...c.req.valid("query"),
    userId: caller(c).userId,
  });
  return c.json({ items: page.items.map(paymentView), nextCursor: page.nextCursor }, 200);
};

export const receiptHandler: RouteHandler<typeof routes.receipt, AppEnv> = async (c) => {
  const { userId } = caller(c);
  const payment = await billing.getOwnPayment(getDb(c.env.DB), userId, c.req.valid("param").id);
  if (!payment.captureId)
    throw new ApiError(409, "not_paid", "This payment was not completed, so it has no receipt.");
  const page = templates.receipt(
    { name: null },
    {
      paymentId: payment.id,
      pack: payment.packId,
      credits: payment.credits,
      amount: formatMoney(payment.amountCents, payment.currency),
      date: (payment.capturedAt ?? payment.createdAt).slice(0, 16).replace("T", " "),
      captureId: payment.captureId,
      link: `${getConfig(c.env).appOrigin}/account/billing`,
    },
  );
  return c.html(page.html, 200);
};

export const webhookHandler: RouteHandler<typeof routes.webhook, AppEnv> = async (c) => {
  const { client, config } = paypalDeps(c);
  const result = await handlePayPalWebhook(
    { db: getDb(c.env.DB), paypal: client, config, now: c.var.clock() },
    c.req.raw.headers,
    await c.req.text(),
  );
  sendMailLater(c, result.mailEvents);
  return c.json({ received: true as const, outcome: result.outcome }, 200);
};
