import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import * as folders from "../../media/folders";
import { normalizeFolder } from "../../media/names";
import { caller } from "../../policy";
import { cachedRead } from "../media/read-cache";
import type * as routes from "./folders.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const folderTreeHandler: H<typeof routes.folderTree> = async (c) => {
  return c.json({ root: await cachedRead(c, "folders", null, folders.folderTree) }, 200);
};

export const createFolderHandler: H<typeof routes.createFolder> = async (c) => {
  const path = normalizeFolder(c.req.valid("json").path, "path");
  const created = await folders.createFolder(getDb(c.env.DB), caller(c).userId, path, c.var.clock());
  return created ? c.json({ folder: { path } }, 201) : c.json({ folder: { path } }, 200);
};

const move = async (c: Parameters<H<typeof routes.renameFolder>>[0]) => {
  const body = c.req.valid("json");
  const from = normalizeFolder(body.from, "from");
  const to = normalizeFolder(body.to, "to");
  const moved = await folders.moveFolder(getDb(c.env.DB), caller(c).userId, from, to, c.var.clock());
  return c.json({ moved, from, to }, 200);
};

export const renameFolderHandler: H<typeof routes.renameFolder> = move;
export const moveFolderHandler: H<typeof routes.moveFolder> = move as never;

export const deleteFolderHandler: H<typeof routes.deleteFolder> = async (c) => {
  const path = normalizeFolder(c.req.valid("query").path, "path");
  const trashed = await folders.deleteFolder(getDb(c.env.DB), caller(c).userId, path, c.var.clock());
  return c.json({ path, trashed }, 200);
};
