import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { toJobView } from "../../jobs/views";
import { caller } from "../../policy";
import { storageConfig } from "../../storage/config";
import * as service from "../../storage/connections";
import { storageExportJob } from "../../storage/export-job";
import { storageImportJob } from "../../storage/import-job";
import { startTransfer } from "../../storage/transfers";
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

export const importFromStorageHandler: H<typeof routes.importFromStorage> = async (c) => {
  const { prefix, folder } = c.req.valid("json");
  const job = await startTransfer(
    c.env,
    getDb(c.env.DB),
    storageImportJob,
    { userId: caller(c).userId, connectionId: c.req.valid("param").id, direction: "import", prefix, folder },
    c.var.clock(),
  );
  return c.json({ job: toJobView(job) }, 202);
};

export const exportToStorageHandler: H<typeof routes.exportToStorage> = async (c) => {
  const { prefix, folder, mediaIds } = c.req.valid("json");
  const job = await startTransfer(
    c.env,
    getDb(c.env.DB),
    storageExportJob,
    {
      userId: caller(c).userId,
      connectionId: c.req.valid("param").id,
      direction: "export",
      prefix,
      folder,
      mediaIds,
    },
    c.var.clock(),
  );
  return c.json({ job: toJobView(job) }, 202);
};
