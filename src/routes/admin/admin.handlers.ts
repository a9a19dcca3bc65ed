import type { RouteHandler } from "@hono/zod-openapi";
import { dailyStats } from "../../admin/stats";
import type { AppEnv } from "../../app-env";
import * as admin from "../../auth/admin";
import { getDb } from "../../db/client";
import type { User } from "../../db/schema";
import { emailConfig } from "../../email/config";
import { listDevMail } from "../../email/dev-mailbox";
import { ApiError } from "../../errors";
import { auditContext } from "../audit-context";
import type { devMail, endUserSessions, listUsers, stats, updateUser } from "./admin.routes";

export function adminView(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    createdAt: u.createdAt,
    disabled: u.disabledAt !== null,
    usedBytes: u.usedBytes,
    usedFiles: u.usedFiles,
  };
}

export const listUsersHandler: RouteHandler<typeof listUsers, AppEnv> = async (c) => {
  const page = await admin.listUsers(getDb(c.env.DB), c.req.valid("query"));
  return c.json({ items: page.items.map(adminView), nextCursor: page.nextCursor }, 200);
};

export const updateUserHandler: RouteHandler<typeof updateUser, AppEnv> = async (c) => {
  const user = await admin.updateUser(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c) },
    c.req.valid("param").id,
    c.req.valid("json"),
  );
  return c.json({ user: adminView(user) }, 200);
};

export const endUserSessionsHandler: RouteHandler<typeof endUserSessions, AppEnv> = async (c) => {
  const ended = await admin.endUserSessions(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c) },
    c.req.valid("param").id,
  );
  return c.json({ ended }, 200);
};

export const statsHandler: RouteHandler<typeof stats, AppEnv> = async (c) => {
  return c.json(await dailyStats(getDb(c.env.DB), c.req.valid("query").days, c.var.clock()), 200);
};

export const devMailHandler: RouteHandler<typeof devMail, AppEnv> = async (c) => {
  if (emailConfig(c.env).provider !== "log") {
    throw new ApiError(404, "dev_mail_disabled", "The dev mailbox exists only with EMAIL_PROVIDER=log.");
  }
  const page = await listDevMail(getDb(c.env.DB), c.req.valid("query"));
  return c.json(
    {
      items: page.items.map((m) => ({
        id: m.id,
        to: m.toAddress,
        from: m.fromAddress,
        subject: m.subject,
        text: m.text,
        html: m.html,
        topic: m.topic,
        createdAt: m.createdAt,
      })),
      nextCursor: page.nextCursor,
    },
    200,
  );
};
