import { z } from "@hono/zod-openapi";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { adminUserSchema } from "../admin/admin.routes";
import { paymentSchema } from "../billing/billing.routes";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Admin"];
const adminOnly = requires({ kind: "admin" });
/** Every admin change of money or quota carries a reason, which goes to the audit log. */
const reason = z
  .string()
  .trim()
  .min(3)
  .max(500)
  .openapi({ example: "Goodwill after the outage on 2026-11-20" });

export const adminPaymentSchema = paymentSchema.extend({ userId: z.string() }).openapi("AdminPayment");

export const listAllPayments = createRoute({
  operationId: "adminListPayments",
  method: "get",
  path: "/admin/payments",
  tags,
  middleware: [adminOnly] as const,
  summary: "All payments, newest first",
  request: { query: pageQuerySchema.extend({ userId: z.string().max(64).optional() }) },
  responses: {
    200: pageContent(adminPaymentSchema, "Payments"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const refundPayment = createRoute({
  operationId: "adminRefundPayment",
  method: "post",
  path: "/admin/payments/{id}/refund",
  tags,
  middleware: [adminOnly] as const,
  summary: "Refund a payment in full through PayPal",
  description: "Debits the pack's credits once (the refund webhook that follows changes nothing more).",
  request: { params: idParam("pay"), body: jsonBody(z.strictObject({ reason })) },
  responses: {
    200: jsonContent(z.object({ payment: adminPaymentSchema }), "Refunded"),
    ...pickProblems(401, 403, 404, 409, 415, 422, 502, 503),
  },
});

export const adjustCredits = createRoute({
  operationId: "adminAdjustCredits",
  method: "post",
  path: "/admin/users/{id}/credits",
  tags,
  middleware: [adminOnly] as const,
  summary: "Grant (amount > 0) or revoke (amount < 0) credits",
  request: {
    params: idParam("usr"),
    body: jsonBody(
      z.strictObject({
        // Either sign, never 0: two ranges, so the document says it too.
        amount: z.union([z.number().int().min(1).max(1_000_000), z.number().int().min(-1_000_000).max(-1)]),
        reason,
      }),
    ),
  },
  responses: {
    200: jsonContent(z.object({ adjustmentId: z.string(), credits: z.number().int() }), "New balance"),
    ...pickProblems(401, 403, 404, 415, 422),
  },
});

export const changeQuota = createRoute({
  operationId: "adminChangeQuota",
  method: "patch",
  path: "/admin/users/{id}/quota",
  tags,
  middleware: [adminOnly] as const,
  summary: "Change a user's storage quota",
  description: "Lowering it below what the user already stores → 409 `quota_below_usage`.",
  request: {
    params: idParam("usr"),
    body: jsonBody(
      z
        .strictObject({
          bytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
          files: z.number().int().min(0).max(100_000_000).optional(),
          reason,
        })
        .refine((v) => v.bytes !== undefined || v.files !== undefined, { message: "Give bytes or files" }),
    ),
  },
  responses: {
    200: jsonContent(
      z.object({
        user: adminUserSchema.extend({ quotaBytes: z.number().int(), quotaFiles: z.number().int() }),
      }),
      "Updated",
    ),
    ...pickProblems(401, 403, 404, 409, 415, 422),
  },
});
