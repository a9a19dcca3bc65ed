import { z } from "@hono/zod-openapi";
import { PAYMENT_STATUSES } from "../../db/billing-schema";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";

const tags = ["Billing"];
/** Spending money: a signed-in person (never an API key) with a verified address. */
const buyer = requires({ kind: "interactive", verified: true });
const accountRead = requires({ kind: "user", scope: "account:read" });

export const packSchema = z
  .object({
    id: z.string(),
    credits: z.number().int(),
    price: z.string().openapi({ example: "5.00", description: "Decimal string, as PayPal takes it" }),
    currency: z.string().openapi({ example: "USD" }),
  })
  .openapi("CreditPack");

export const paymentSchema = z
  .object({
    id: z.string(),
    pack: z.string(),
    credits: z.number().int(),
    amount: z.string(),
    currency: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    refunded: z.string(),
    orderId: z.string().nullable(),
    captureId: z.string().nullable(),
    createdAt: z.string(),
    capturedAt: z.string().nullable(),
    receiptUrl: z.string().nullable(),
  })
  .openapi("Payment");

const orderIdParam = z.object({
  orderId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "orderId", in: "path" }, example: "5O190127TN364715T" }),
});

export const listPacks = createRoute({
  operationId: "listCreditPacks",
  method: "get",
  path: "/billing/packs",
  tags,
  summary: "Credit packs for sale",
  description: "Prices come from the deployment's config (CREDIT_PACKS); no sign-in needed.",
  responses: { 200: jsonContent(z.object({ packs: z.array(packSchema) }), "Packs") },
});

export const createOrder = createRoute({
  operationId: "createOrder",
  method: "post",
  path: "/billing/orders",
  tags,
  middleware: [buyer] as const,
  summary: "Start buying a pack: creates a PayPal order",
  description:
    "The price is the pack's, never the client's. Send the buyer to `approveUrl`; after they approve, call capture. Unknown pack → 422; unverified email → 403 `email_unverified`.",
  request: {
    body: jsonBody(
      z.strictObject({
        pack: z
          .string()
          .regex(/^[a-z0-9-]{1,32}$/)
          .openapi({ example: "starter", description: "A pack id from GET /billing/packs" }),
      }),
    ),
  },
  responses: {
    201: jsonContent(
      z.object({ orderId: z.string(), approveUrl: z.string(), paymentId: z.string() }),
      "Order created",
    ),
    ...pickProblems(400, 401, 403, 415, 422, 429, 502, 503),
  },
});

export const captureOrder = createRoute({
  operationId: "captureOrder",
  method: "post",
  path: "/billing/orders/{orderId}/capture",
  tags,
  middleware: [buyer] as const,
  summary: "Capture an approved order and receive its credits",
  description:
    "Credits are granted once per PayPal capture, whether this call, the webhook, or both (in any order, any number of times) report it. Someone else's order → 404; not approved yet → 409 `order_not_approved`.",
  request: { params: orderIdParam },
  responses: {
    200: jsonContent(z.object({ payment: paymentSchema }), "Captured (see `payment.status`)"),
    ...pickProblems(401, 403, 404, 409, 429, 502, 503),
  },
});

export const listPayments = createRoute({
  operationId: "listPayments",
  method: "get",
  path: "/billing/payments",
  tags,
  middleware: [accountRead] as const,
  summary: "Your payments, newest first",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(paymentSchema, "Payments"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const receipt = createRoute({
  operationId: "getPaymentReceipt",
  method: "get",
  path: "/billing/payments/{id}/receipt",
  tags,
  middleware: [accountRead] as const,
  summary: "A payment's receipt (HTML)",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: {
    200: { content: { "text/html": { schema: z.string() } }, description: "Receipt" },
    ...pickProblems(401, 403, 404, 409),
  },
});

export const webhook = createRoute({
  operationId: "receivePaypalWebhook",
  method: "post",
  path: "/billing/paypal/webhook",
  tags,
  summary: "PayPal webhook receiver",
  description:
    "Handles PAYMENT.CAPTURE.COMPLETED (grants the pack), PAYMENT.CAPTURE.PENDING (the payment waits, no credits), PAYMENT.CAPTURE.DENIED and PAYMENT.CAPTURE.DECLINED (the payment fails unless already granted), PAYMENT.CAPTURE.REFUNDED and PAYMENT.CAPTURE.REVERSED. Verified with PayPal's verify-webhook-signature API; an unverified (400 `webhook_unverified`) or replayed (400 `webhook_replayed`) delivery changes nothing.",
  request: {
    headers: z.object({
      "paypal-transmission-id": z.string().optional(),
      "paypal-transmission-time": z.string().optional(),
      "paypal-transmission-sig": z.string().optional(),
      "paypal-cert-url": z.string().optional(),
      "paypal-auth-algo": z.string().optional(),
    }),
    body: { content: { "application/json": { schema: z.object({}).passthrough() } }, required: true },
  },
  responses: {
    200: jsonContent(z.object({ received: z.literal(true), outcome: z.string() }), "Handled"),
    ...pickProblems(400, 413, 415, 502, 503),
  },
});
