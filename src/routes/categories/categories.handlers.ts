import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import * as service from "../../organize/categories";
import { caller } from "../../policy";
import type * as routes from "./categories.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const listCategoriesHandler: H<typeof routes.listCategories> = async (c) => {
  return c.json({ items: await service.listCategories(getDb(c.env.DB), caller(c).userId) }, 200);
};

export const createCategoryHandler: H<typeof routes.createCategory> = async (c) => {
  const category = await service.createCategory(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("json"),
    c.var.clock(),
  );
  c.header("Location", `/api/v1/categories/${category.id}`);
  return c.json({ category }, 201);
};

export const updateCategoryHandler: H<typeof routes.updateCategory> = async (c) => {
  const category = await service.updateCategory(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    c.req.valid("json"),
    c.var.clock(),
  );
  return c.json({ category }, 200);
};

export const deleteCategoryHandler: H<typeof routes.deleteCategory> = async (c) => {
  await service.deleteCategory(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  return c.body(null, 204);
};
