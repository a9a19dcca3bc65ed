import { z } from "@hono/zod-openapi";
import { createSchemaFactory } from "drizzle-zod";
import { SIGNALS } from "../../alerts/signals";
import { ALERT_SIGNALS, alertEvents, alertRules } from "../../db/alerts-schema";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const { createSelectSchema } = createSchemaFactory({ zodInstance: z });
const adminOnly = requires({ kind: "admin" });
const tags = ["Admin"];

export const alertRuleSchema = createSelectSchema(alertRules).openapi("AlertRule");
export const alertEventSchema = createSelectSchema(alertEvents).openapi("AlertEvent");

const fields = {
  name: z.string().trim().min(1).max(120),
  signal: z.enum(ALERT_SIGNALS).openapi({
    description: Object.entries(SIGNALS)
      .map(([signal, { unit }]) => `\`${signal}\`: ${unit}`)
      .join("; "),
  }),
  threshold: z.number().min(0).max(1_000_000).openapi({ description: "Fires when the signal is above this" }),
  windowMinutes: z.number().int().min(1).max(60),
  email: z.email().max(254).nullable().openapi({ description: "Where the fired/resolved mail goes" }),
  webhook: z.boolean().openapi({
    description: "Send alert.fired / alert.resolved to your webhook endpoints subscribed to them",
  }),
  enabled: z.boolean(),
};

export const createAlertRule = createRoute({
  method: "post",
  path: "/admin/alerts",
  operationId: "adminCreateAlertRule",
  tags,
  middleware: [adminOnly] as const,
  summary: "Add an alert rule, evaluated every minute by the scheduled handler",
  description:
    "A rule fires when its signal, measured over the last `windowMinutes`, is above `threshold`, and resolves when it no longer is; each transition sends one mail (to `email`) and/or one signed webhook (`webhook`).",
  request: {
    body: jsonBody(
      z.strictObject({
        ...fields,
        windowMinutes: fields.windowMinutes.default(5),
        email: fields.email.default(null),
        webhook: fields.webhook.default(false),
        enabled: fields.enabled.default(true),
      }),
    ),
  },
  responses: {
    201: jsonContent(z.object({ rule: alertRuleSchema }), "Created"),
    ...pickProblems(401, 403, 415, 422),
  },
});

export const listAlertRules = createRoute({
  method: "get",
  path: "/admin/alerts",
  operationId: "adminListAlertRules",
  tags,
  middleware: [adminOnly] as const,
  summary: "Every alert rule with its state and last measured value",
  responses: {
    200: jsonContent(z.object({ items: z.array(alertRuleSchema) }), "Rules"),
    ...pickProblems(401, 403),
  },
});

export const updateAlertRule = createRoute({
  method: "patch",
  path: "/admin/alerts/{id}",
  operationId: "adminUpdateAlertRule",
  tags,
  middleware: [adminOnly] as const,
  summary: "Change an alert rule (switching it off, or changing its signal or threshold, resets it to ok)",
  request: {
    params: idParam("alr"),
    body: jsonBody(
      z
        .strictObject(fields)
        .partial()
        .refine((v) => Object.keys(v).length > 0, { message: "Give at least one field" }),
    ),
  },
  responses: {
    200: jsonContent(z.object({ rule: alertRuleSchema }), "Updated"),
    ...pickProblems(401, 403, 404, 415, 422),
  },
});

export const deleteAlertRule = createRoute({
  method: "delete",
  path: "/admin/alerts/{id}",
  operationId: "adminDeleteAlertRule",
  tags,
  middleware: [adminOnly] as const,
  summary: "Delete an alert rule (its history stays)",
  request: { params: idParam("alr") },
  responses: { 204: { description: "Deleted" }, ...pickProblems(401, 403, 404) },
});

export const listAlertEvents = createRoute({
  method: "get",
  path: "/admin/alerts/events",
  operationId: "adminListAlertEvents",
  tags,
  middleware: [adminOnly] as const,
  summary: "Alert history: every firing and resolution, newest first",
  request: { query: pageQuerySchema.extend({ ruleId: z.string().min(1).max(64).optional() }) },
  responses: {
    200: pageContent(alertEventSchema, "Events"),
    ...pickProblems(400, 401, 403, 422),
  },
});
