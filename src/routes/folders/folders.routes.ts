import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { folderField, subfolderField } from "../fields";
import { folderNodeSchema } from "../media/media.schemas";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";

const tags = ["Folders"];
const mediaRead = requires({ kind: "user", scope: "media:read" });
const mediaWrite = requires({ kind: "user", scope: "media:write" });
const moveBody = jsonBody(z.strictObject({ from: subfolderField, to: folderField }));
const moved = jsonContent(z.object({ moved: z.number().int(), from: z.string(), to: z.string() }), "Moved");
const folderBody = z.object({ folder: z.object({ path: z.string() }) });

export const folderTree = createRoute({
  operationId: "folderTree",
  method: "get",
  path: "/folders",
  tags,
  middleware: [mediaRead] as const,
  summary: "Your folder tree with file counts and bytes (empty folders included)",
  responses: { 200: jsonContent(z.object({ root: folderNodeSchema }), "Tree"), ...pickProblems(401, 403) },
});

export const createFolder = createRoute({
  operationId: "createFolder",
  method: "post",
  path: "/folders",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Create a folder (it exists while empty; parents appear with it)",
  request: { body: jsonBody(z.strictObject({ path: subfolderField })) },
  responses: {
    201: jsonContent(folderBody, "Created"),
    200: jsonContent(folderBody, "It already existed"),
    ...pickProblems(400, 401, 403, 415, 422),
  },
});

export const renameFolder = createRoute({
  operationId: "renameFolder",
  method: "patch",
  path: "/folders",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Rename or move a folder with everything in it (one batch)",
  description:
    "The root can't be moved, nor a folder into itself or onto the root, nor anywhere its sub-folders would nest deeper than 20 or get longer than 1024 characters (422 `invalid_move`). Moving onto an existing folder merges the two.",
  request: { body: moveBody },
  responses: { 200: moved, ...pickProblems(400, 401, 403, 404, 415, 422) },
});

export const moveFolder = createRoute({
  operationId: "moveFolder",
  method: "post",
  path: "/folders/move",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Rename or move a folder (the same as PATCH /folders; kept for existing clients)",
  request: { body: moveBody },
  responses: { 200: moved, ...pickProblems(400, 401, 403, 404, 415, 422) },
});

export const deleteFolder = createRoute({
  operationId: "deleteFolder",
  method: "delete",
  path: "/folders",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Delete a folder: its files (sub-folders included) go to the trash",
  request: {
    query: z.object({ path: subfolderField.openapi({ param: { name: "path", in: "query" } }) }),
  },
  responses: {
    200: jsonContent(z.object({ path: z.string(), trashed: z.number().int() }), "Deleted"),
    ...pickProblems(401, 403, 404, 422),
  },
});
