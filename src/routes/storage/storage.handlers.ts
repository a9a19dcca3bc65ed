import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { caller } from "../../policy";
import { storageConfig } from "../../storage/config";
import * as service from "../../storage/connections";
import type * as routes from "./storage.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

const deps = (c: Context<AppEnv>) => ({
  db: getDb(c.env.DB),
  config: storageConfig(c.env),
  authSecret: c.env.AUTH_SECRET,
  now: c.var.clock(),
});

export const createStorageConnectionHandler: H<typeof routes.createStorageConnection> = async (c) => {
  const row = await service.createConnection(deps(c), caller(c).userId, c.req.valid("json"));
  c.header("Location", `/api/v1/storage/connections/${row.id}`);
  return c.json({ connection: service.publicConnection(row) }, 201);
};

export const listStorageConnectionsHandler: H<typeof routes.listStorageConnections> = async (c) => {
  const page = await service.listConnections(getDb(c.env.DB), caller(c).userId, c.req.valid("query"));
  return c.json({ items: page.items.map(service.publicConnection), nextCursor: page.nextCursor }, 200);
};

export const getStorageConnectionHandler: H<typeof routes.getStorageConnection> = async (c) => {
  const row = await service.ownedConnection(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.json({ connection: service.publicConnection(row) }, 200);
};

export const testStorageConnectionHandler: H<typeof routes.testStorageConnection> = async (c) => {
  const row = await service.testConnection(deps(c), caller(c).userId, c.req.valid("param").id);
  return c.json({ connection: service.publicConnection(row) }, 200);
};

export const deleteStorageConnectionHandler: H<typeof routes.deleteStorageConnection> = async (c) => {
  await service.deleteConnection(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.body(null, 204);
};
