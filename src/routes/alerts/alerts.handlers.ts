import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import * as rules from "../../alerts/rules";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { auditContext } from "../audit-context";
import type * as routes from "./alerts.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const createAlertRuleHandler: H<typeof routes.createAlertRule> = async (c) => {
  const rule = await rules.createAlertRule(
    getDb(c.env.DB),
    c.req.valid("json"),
    c.var.clock(),
    auditContext(c),
  );
  return c.json({ rule }, 201);
};

export const listAlertRulesHandler: H<typeof routes.listAlertRules> = async (c) => {
  return c.json({ items: await rules.listAlertRules(getDb(c.env.DB)) }, 200);
};

export const updateAlertRuleHandler: H<typeof routes.updateAlertRule> = async (c) => {
  const rule = await rules.updateAlertRule(
    getDb(c.env.DB),
    c.req.valid("param").id,
    c.req.valid("json"),
    c.var.clock(),
    auditContext(c),
  );
  return c.json({ rule }, 200);
};

export const deleteAlertRuleHandler: H<typeof routes.deleteAlertRule> = async (c) => {
  await rules.deleteAlertRule(getDb(c.env.DB), c.req.valid("param").id, c.var.clock(), auditContext(c));
  return c.body(null, 204);
};

export const listAlertEventsHandler: H<typeof routes.listAlertEvents> = async (c) => {
  return c.json(await rules.listAlertEvents(getDb(c.env.DB), c.req.valid("query")), 200);
};
