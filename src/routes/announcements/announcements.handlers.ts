import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import * as service from "../../announcements/service";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./announcements.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const createAnnouncementHandler: H<typeof routes.createAnnouncement> = async (c) => {
  const body = c.req.valid("json");
  const now = c.var.clock();
  const announcement = await service.createAnnouncement(
    getDb(c.env.DB),
    { ...body, startsAt: body.startsAt ?? now.toISOString() },
    now,
    auditContext(c),
  );
  return c.json({ announcement }, 201);
};

export const listAdminAnnouncementsHandler: H<typeof routes.listAdminAnnouncements> = async (c) => {
  return c.json(await service.listAnnouncements(getDb(c.env.DB), c.req.valid("query")), 200);
};

export const updateAnnouncementHandler: H<typeof routes.updateAnnouncement> = async (c) => {
  const announcement = await service.updateAnnouncement(
    getDb(c.env.DB),
    c.req.valid("param").id,
    c.req.valid("json"),
    c.var.clock(),
    auditContext(c),
  );
  return c.json({ announcement }, 200);
};

export const deleteAnnouncementHandler: H<typeof routes.deleteAnnouncement> = async (c) => {
  await service.deleteAnnouncement(getDb(c.env.DB), c.req.valid("param").id, c.var.clock(), auditContext(c));
  return c.body(null, 204);
};

export const activeAnnouncementsHandler: H<typeof routes.activeAnnouncements> = async (c) => {
  const items = await service.activeAnnouncements(getDb(c.env.DB), c.get("principal"), c.var.clock());
  return c.json({ items }, 200);
};

export const dismissAnnouncementHandler: H<typeof routes.dismissAnnouncement> = async (c) => {
  await service.dismissAnnouncement(getDb(c.env.DB), caller(c), c.req.valid("param").id, c.var.clock());
  return c.body(null, 204);
};
