import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import * as adminBilling from "../../billing/admin";
import { listPayments } from "../../billing/service";
import type { Payment } from "../../db/billing-schema";
import { getDb } from "../../db/client";
import { caller } from "../../policy";
import { adminView } from "../admin/admin.handlers";
import { auditContext } from "../audit-context";
import { paymentView, paypalDeps } from "../billing/billing.handlers";
import type * as routes from "./admin-billing.routes";

const adminPaymentView = (p: Payment) => ({ ...paymentView(p), userId: p.userId });

export const listAllPaymentsHandler: RouteHandler<typeof routes.listAllPayments, AppEnv> = async (c) => {
  const page = await listPayments(getDb(c.env.DB), c.req.valid("query"));
  return c.json({ items: page.items.map(adminPaymentView), nextCursor: page.nextCursor }, 200);
};

export const refundPaymentHandler: RouteHandler<typeof routes.refundPayment, AppEnv> = async (c) => {
  const payment = await adminBilling.refundPayment(
    { db: getDb(c.env.DB), paypal: paypalDeps(c).client, now: c.var.clock() },
    auditContext(c, caller(c).userId),
    c.req.valid("param").id,
    c.req.valid("json").reason,
  );
  return c.json({ payment: adminPaymentView(payment) }, 200);
};

export const adjustCreditsHandler: RouteHandler<typeof routes.adjustCredits, AppEnv> = async (c) => {
  const { amount, reason } = c.req.valid("json");
  const result = await adminBilling.adjustCredits(
    getDb(c.env.DB),
    auditContext(c, caller(c).userId),
    c.req.valid("param").id,
    amount,
    reason,
    c.var.clock(),
  );
  return c.json(result, 200);
};

export const changeQuotaHandler: RouteHandler<typeof routes.changeQuota, AppEnv> = async (c) => {
  const { reason, ...change } = c.req.valid("json");
  const u = await adminBilling.changeQuota(
    getDb(c.env.DB),
    auditContext(c, caller(c).userId),
    c.req.valid("param").id,
    change,
    reason,
    c.var.clock(),
  );
  return c.json({ user: { ...adminView(u), quotaBytes: u.quotaBytes, quotaFiles: u.quotaFiles } }, 200);
};
