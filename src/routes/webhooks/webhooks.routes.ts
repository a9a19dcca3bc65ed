import { z } from "@hono/zod-openapi";
import { WEBHOOK_DELIVERY_STATUSES } from "../../db/webhooks-schema";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { webhookEvents } from "../../webhook-events";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Webhooks"];
const read = requires({ kind: "user", scope: "webhooks:read" });
const write = requires({ kind: "user", scope: "webhooks:write" });

const eventType = z.enum(webhookEvents.types()).openapi({
  description: webhookEvents
    .all()
    .map((e) => `\`${e.type}\`: ${e.description}`)
    .join("\n"),
});

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(["enabled", "disabled"]),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Webhook");

export const deliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z
      .string()
      .openapi({ description: "Sent as `webhook-id`; the same on every attempt and resend." }),
    eventType: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi("WebhookDelivery");

const urlField = z.string().min(1).max(2000).openapi({
  format: "uri",
  example: "https://hooks.example.com/edgecraft",
  description: "https to a public host (http and local hosts only where ALLOW_PRIVATE_WEBHOOKS is set).",
});

const createBody = z
  .strictObject({
    url: urlField,
    events: z.array(eventType).min(1).max(20),
    description: z.string().max(200).optional(),
  })
  .openapi("WebhookInput");

const patchBody = z
  .strictObject({
    url: urlField.optional(),
    events: z.array(eventType).min(1).max(20).optional(),
    description: z.string().max(200).nullable().optional(),
    enabled: z.boolean().optional().openapi({ description: "`true` turns a disabled endpoint back on." }),
  })
  .openapi("WebhookPatch");

const webhookBody = z.object({ webhook: webhookSchema });
const deliveryParams = z.object({
  id: idParam("whk").shape.id,
  deliveryId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "deliveryId", in: "path" }, example: "whd_0123456789abcdefghij" }),
});

export const createWebhook = createRoute({
  operationId: "createWebhook",
  method: "post",
  path: "/webhooks",
  tags,
  middleware: [write] as const,
  summary: "Register a webhook endpoint (the signing secret is in this answer only)",
  description:
    "Messages follow the Standard Webhooks spec: `webhook-id`, `webhook-timestamp`, `webhook-signature` (v1, HMAC-SHA256 with the `whsec_` secret); the body is `{type, timestamp, data}`.",
  request: { body: jsonBody(createBody) },
  responses: {
    201: jsonContent(
      z.object({
        webhook: webhookSchema,
        secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
      }),
      "Registered",
    ),
    ...pickProblems(401, 403, 409, 422),
  },
});

export const listWebhooks = createRoute({
  operationId: "listWebhooks",
  method: "get",
  path: "/webhooks",
  tags,
  middleware: [read] as const,
  summary: "Your webhook endpoints",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(webhookSchema, "A page"),
    ...pickProblems(400, 401, 403),
  },
});

export const getWebhook = createRoute({
  operationId: "getWebhook",
  method: "get",
  path: "/webhooks/{id}",
  tags,
  middleware: [read] as const,
  summary: "One webhook endpoint",
  request: { params: idParam("whk") },
  responses: { 200: jsonContent(webhookBody, "The endpoint"), ...pickProblems(401, 403, 404) },
});

export const updateWebhook = createRoute({
  operationId: "updateWebhook",
  method: "patch",
  path: "/webhooks/{id}",
  tags,
  middleware: [write] as const,
  summary: "Change an endpoint's URL, events or description, or enable/disable it",
  request: { params: idParam("whk"), body: jsonBody(patchBody) },
  responses: { 200: jsonContent(webhookBody, "Changed"), ...pickProblems(401, 403, 404, 422) },
});

export const deleteWebhook = createRoute({
  operationId: "deleteWebhook",
  method: "delete",
  path: "/webhooks/{id}",
  tags,
  middleware: [write] as const,
  summary: "Delete an endpoint and its delivery log",
  request: { params: idParam("whk") },
  responses: { 204: { description: "Deleted" }, ...pickProblems(401, 403, 404) },
});

export const listWebhookDeliveries = createRoute({
  operationId: "listWebhookDeliveries",
  method: "get",
  path: "/webhooks/{id}/deliveries",
  tags,
  middleware: [read] as const,
  summary: "The endpoint's delivery log, newest first (status, response code, duration)",
  request: {
    params: idParam("whk"),
    query: pageQuerySchema.extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() }),
  },
  responses: {
    200: pageContent(deliverySchema, "A page"),
    ...pickProblems(400, 401, 403, 404),
  },
});

export const resendWebhookDelivery = createRoute({
  operationId: "resendWebhookDelivery",
  method: "post",
  path: "/webhooks/{id}/deliveries/{deliveryId}/resend",
  tags,
  middleware: [write] as const,
  summary: "Send a finished delivery again (same webhook-id and body, a new round of attempts)",
  request: { params: deliveryParams },
  responses: {
    202: jsonContent(z.object({ delivery: deliverySchema }), "Queued"),
    ...pickProblems(401, 403, 404, 409),
  },
});
