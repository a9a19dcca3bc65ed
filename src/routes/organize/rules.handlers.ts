import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { previewRules } from "../../organize/rules/preview";
import { getRules, putRules } from "../../organize/settings";
import { caller } from "../../policy";
import type * as routes from "./rules.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const getRulesHandler: H<typeof routes.getRules> = async (c) => {
  return c.json(await getRules(getDb(c.env.DB), caller(c).userId), 200);
};

export const putRulesHandler: H<typeof routes.putRules> = async (c) => {
  const list = await putRules(getDb(c.env.DB), caller(c).userId, c.req.valid("json").rules, c.var.clock());
  return c.json(list, 200);
};

export const previewRulesHandler: H<typeof routes.previewRules> = async (c) => {
  return c.json(await previewRules(getDb(c.env.DB), caller(c).userId, c.req.valid("json")), 200);
};
