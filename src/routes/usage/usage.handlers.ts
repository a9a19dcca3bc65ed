import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { notFound } from "../../errors";
import { caller } from "../../policy";
import { usageFor } from "../../usage/query";
import type * as routes from "./usage.routes";

export const myUsageHandler: RouteHandler<typeof routes.myUsage, AppEnv> = async (c) => {
  const usage = await usageFor(getDb(c.env.DB), caller(c).userId, c.req.valid("query").days, c.var.clock());
  return c.json(usage, 200);
};

export const userUsageHandler: RouteHandler<typeof routes.userUsage, AppEnv> = async (c) => {
  const db = getDb(c.env.DB);
  const { id } = c.req.valid("param");
  const user = await db.select({ id: users.id }).from(users).where(eq(users.id, id)).get();
  if (!user) throw notFound("user");
  return c.json(await usageFor(db, id, c.req.valid("query").days, c.var.clock()), 200);
};
