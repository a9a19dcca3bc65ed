import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { caller } from "../../policy";
import { webhookEvents } from "../../webhook-events";
import { webhookConfig } from "../../webhooks/config";
import * as service from "../../webhooks/endpoints";
import { enqueueDelivery } from "../../webhooks/relay";
import type * as routes from "./webhooks.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

const deps = (c: Context<AppEnv>) => ({
  db: getDb(c.env.DB),
  config: webhookConfig(c.env),
  catalog: webhookEvents,
  authSecret: c.env.AUTH_SECRET,
  now: c.var.clock(),
});

export const createWebhookHandler: H<typeof routes.createWebhook> = async (c) => {
  const { endpoint, secret } = await service.createEndpoint(deps(c), caller(c).userId, c.req.valid("json"));
  c.header("Location", `/api/v1/webhooks/${endpoint.id}`);
  return c.json({ webhook: service.publicEndpoint(endpoint), secret }, 201);
};

export const listWebhooksHandler: H<typeof routes.listWebhooks> = async (c) => {
  const page = await service.listEndpoints(getDb(c.env.DB), caller(c).userId, c.req.valid("query"));
  return c.json({ items: page.items.map(service.publicEndpoint), nextCursor: page.nextCursor }, 200);
};

export const getWebhookHandler: H<typeof routes.getWebhook> = async (c) => {
  const row = await service.ownedEndpoint(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.json({ webhook: service.publicEndpoint(row) }, 200);
};

export const updateWebhookHandler: H<typeof routes.updateWebhook> = async (c) => {
  const row = await service.updateEndpoint(
    deps(c),
    caller(c).userId,
    c.req.valid("param").id,
    c.req.valid("json"),
  );
  return c.json({ webhook: service.publicEndpoint(row) }, 200);
};

export const deleteWebhookHandler: H<typeof routes.deleteWebhook> = async (c) => {
  await service.deleteEndpoint(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.body(null, 204);
};

export const listWebhookDeliveriesHandler: H<typeof routes.listWebhookDeliveries> = async (c) => {
  const { id } = c.req.valid("param");
  const page = await service.listDeliveries(getDb(c.env.DB), caller(c).userId, id, c.req.valid("query"));
  return c.json({ items: page.items.map(service.publicDelivery), nextCursor: page.nextCursor }, 200);
};

export const resendWebhookDeliveryHandler: H<typeof routes.resendWebhookDelivery> = async (c) => {
  const { id, deliveryId } = c.req.valid("param");
  const row = await service.resendDelivery(getDb(c.env.DB), caller(c).userId, id, deliveryId, c.var.clock());
  // If this send fails the delivery stays pending and the scheduled sweep queues it.
  await enqueueDelivery(c.env.WEBHOOK_QUEUE, row.id).catch(() => {});
  return c.json({ delivery: service.publicDelivery(row) }, 202);
};
