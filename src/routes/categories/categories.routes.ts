import { z } from "@hono/zod-openapi";
import { FILE_NAME_PATTERN } from "../../media/names";
import { MAX_CATEGORY_NAME_CHARS } from "../../organize/categories";
import { requires } from "../../policy";
import { templateField } from "../fields";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Categories"];
const mediaRead = requires({ kind: "user", scope: "media:read" });
const mediaWrite = requires({ kind: "user", scope: "media:write" });

export const categorySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    extensions: z.array(z.string()),
    mimeTypes: z.array(z.string()),
    folder: z.string().nullable(),
    priority: z.number().int(),
    builtIn: z.boolean(),
  })
  .openapi("Category");

const EXTENSION = "^\\s*\\.[A-Za-z0-9][A-Za-z0-9_+-]{0,15}\\s*$";
const MIME_PATTERN = "^\\s*[A-Za-z0-9][A-Za-z0-9.+-]*/(?:\\*|[A-Za-z0-9][A-Za-z0-9.+-]*\\*?)\\s*$";

const categoryBody = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(4 * MAX_CATEGORY_NAME_CHARS)
      .openapi({ maxLength: MAX_CATEGORY_NAME_CHARS, pattern: FILE_NAME_PATTERN }),
    extensions: z
      .array(z.string().max(20).openapi({ pattern: EXTENSION }))
      .max(100)
      .openapi({ example: [".psd", ".xcf"] }),
    mimeTypes: z
      .array(z.string().max(100).openapi({ pattern: MIME_PATTERN }))
      .max(50)
      .optional()
      .openapi({ example: ["image/vnd.adobe.photoshop"] }),
    folder: templateField
      .nullable()
      .optional()
      .openapi({ description: "Destination template, e.g. /Design/{yyyy}" }),
    priority: z
      .number()
      .int()
      .min(-1000)
      .max(1000)
      .optional()
      .openapi({ description: "Higher is tried first; default 100" }),
  })
  .openapi("CategoryInput", {
    description: "At least one extension or MIME type.",
    anyOf: [
      { properties: { extensions: { minItems: 1 } } },
      { properties: { mimeTypes: { minItems: 1 } }, required: ["mimeTypes"] },
    ],
  });

export const listCategories = createRoute({
  operationId: "listCategories",
  method: "get",
  path: "/categories",
  tags,
  middleware: [mediaRead] as const,
  summary: "Your categories (in the order they are tried), then the built-ins",
  responses: {
    200: jsonContent(z.object({ items: z.array(categorySchema) }), "Categories"),
    ...pickProblems(401, 403),
  },
});

export const createCategory = createRoute({
  operationId: "createCategory",
  method: "post",
  path: "/categories",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Add a category",
  request: { body: jsonBody(categoryBody) },
  responses: {
    201: jsonContent(z.object({ category: categorySchema }), "Created"),
    ...pickProblems(400, 401, 403, 409, 415, 422),
  },
});

export const updateCategory = createRoute({
  operationId: "updateCategory",
  method: "put",
  path: "/categories/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Replace one of your categories (built-ins can't be changed)",
  request: { params: idParam("cat"), body: jsonBody(categoryBody) },
  responses: {
    200: jsonContent(z.object({ category: categorySchema }), "Updated"),
    ...pickProblems(400, 401, 403, 404, 409, 415, 422),
  },
});

export const deleteCategory = createRoute({
  operationId: "deleteCategory",
  method: "delete",
  path: "/categories/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Delete one of your categories",
  request: { params: idParam("cat") },
  responses: { 204: { description: "Deleted" }, ...pickProblems(401, 403, 404) },
});
