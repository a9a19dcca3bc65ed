import { z } from "@hono/zod-openapi";
import { problemSchema } from "../../errors";
import {
  FILE_NAME_PATTERN,
  FOLDER_PATTERN,
  MAX_FOLDER_CHARS,
  MAX_NAME_CHARS,
  TAG_LIST_PATTERN,
} from "../../media/names";
import { requires } from "../../policy";
import { fileNameField, folderField, tagsField } from "../fields";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";
import {
  bulkSchema,
  conflictSchema,
  listQuerySchema,
  mediaBody,
  mediaSchema,
  onConflictField,
  patchSchema,
  statsSchema,
  uploadedBody,
  uploadSchema,
} from "./media.schemas";

const tags = ["Media"];
const mediaRead = requires({ kind: "user", scope: "media:read" });
const mediaWrite = requires({ kind: "user", scope: "media:write" });
const bytes = (description: string) => ({
  content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
  description,
});

export const uploadMedia = createRoute({
  operationId: "uploadMedia",
  method: "post",
  path: "/media",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Upload a file (multipart/form-data: `file`, optional `folder`, `tags`, `name`, `onConflict`)",
  description:
    "Streams the file to storage while hashing it. The type is decided by the bytes; a name that claims another type is refused (415). Images above the pixel budget are refused (413) before any decode. The body is read as a stream, so it is not declared as a validated body here. With `Idempotency-Key`, two requests are the same when the file's bytes and the `name`, `folder` and `tags` fields are (the multipart framing doesn't count): the same → the first answer again; different → 422.",
  request: {
    query: z.object({ onConflict: onConflictField.optional() }),
    // Documented, not validated here: the upload is parsed as a stream by src/media/upload.ts.
    body: {
      required: true,
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            properties: {
              file: { type: "string", format: "binary" },
              name: { type: "string", maxLength: MAX_NAME_CHARS, pattern: FILE_NAME_PATTERN },
              folder: { type: "string", maxLength: MAX_FOLDER_CHARS, pattern: FOLDER_PATTERN },
              tags: {
                type: "string",
                maxLength: 1000,
                pattern: TAG_LIST_PATTERN,
                description: "comma-separated",
              },
              onConflict: { type: "string", enum: ["rename", "replace", "skip"] },
            },
            required: ["file"],
          },
        },
      },
    },
  },
  responses: {
    201: jsonContent(uploadedBody, "Stored (`conflict` says when the name was taken: renamed or replaced)"),
    200: jsonContent(
      z.object({ media: mediaSchema, conflict: conflictSchema }),
      "Skipped (`onConflict=skip`): the file already there",
    ),
    ...pickProblems(400, 401, 403, 409, 413, 415, 422, 429),
  },
});

export const listMedia = createRoute({
  operationId: "listMedia",
  method: "get",
  path: "/media",
  tags,
  middleware: [mediaRead] as const,
  summary: "List, filter, sort and search your files",
  description: "Answers are cached per user (X-Cache: HIT|MISS); send `Cache-Control: no-cache` to bypass.",
  request: { query: listQuerySchema },
  responses: {
    200: pageContent(mediaSchema, "A page"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const mediaStats = createRoute({
  operationId: "mediaStats",
  method: "get",
  path: "/media/stats",
  tags,
  middleware: [mediaRead] as const,
  summary: "Counts and bytes per kind and top-level folder, trash, quota use",
  responses: { 200: jsonContent(statsSchema, "Stats"), ...pickProblems(401, 403) },
});

export const bulkMedia = createRoute({
  operationId: "bulkMedia",
  method: "post",
  path: "/media/bulk",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Move, tag, untag, trash or restore many files at once (all or nothing)",
  request: { body: jsonBody(bulkSchema) },
  responses: {
    200: jsonContent(z.object({ updated: z.number().int() }), "Done"),
    ...pickProblems(400, 401, 403, 404, 415, 422),
  },
});

export const getMedia = createRoute({
  operationId: "getMedia",
  method: "get",
  path: "/media/{id}",
  tags,
  middleware: [mediaRead] as const,
  summary: "One file's metadata",
  request: { params: idParam("med") },
  responses: { 200: jsonContent(mediaBody, "The file"), ...pickProblems(401, 403, 404) },
});

export const patchMedia = createRoute({
  operationId: "patchMedia",
  method: "patch",
  path: "/media/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Rename, move to a folder, set tags",
  request: { params: idParam("med"), body: jsonBody(patchSchema) },
  responses: { 200: jsonContent(mediaBody, "Updated"), ...pickProblems(400, 401, 403, 404, 415, 422) },
});

export const deleteMedia = createRoute({
  operationId: "deleteMedia",
  method: "delete",
  path: "/media/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Move to trash; `?purge=true` deletes for good",
  request: {
    params: idParam("med"),
    query: z.object({ purge: z.enum(["true", "false"]).default("false") }),
  },
  responses: { 204: { description: "Trashed or purged" }, ...pickProblems(401, 403, 404) },
});

export const restoreMedia = createRoute({
  operationId: "restoreMedia",
  method: "post",
  path: "/media/{id}/restore",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Bring a file back from the trash",
  request: { params: idParam("med") },
  responses: { 200: jsonContent(mediaBody, "Restored"), ...pickProblems(401, 403, 404) },
});

export const mediaContent = createRoute({
  operationId: "mediaContent",
  method: "get",
  path: "/media/{id}/content",
  tags,
  middleware: [mediaRead] as const,
  summary: "The bytes (Range, ETag, If-None-Match honoured)",
  request: {
    params: idParam("med"),
    query: z.object({ download: z.enum(["true", "false"]).default("false") }),
  },
  responses: {
    200: bytes("The file"),
    206: bytes("Part of the file"),
    304: { description: "Not modified" },
    ...pickProblems(401, 403, 404),
    416: { description: "Range not satisfiable" },
  },
});

export const mediaThumbnail = createRoute({
  operationId: "mediaThumbnail",
  method: "get",
  path: "/media/{id}/thumbnail",
  tags,
  middleware: [mediaRead] as const,
  summary:
    "A preview: a WebP thumbnail (≤ 256 px) of images and SVG, an SVG icon of the type for other files",
  description:
    "A 1×1 placeholder with 202 and `Retry-After` while the thumbnail is being made (files uploaded before thumbnails existed for their type are made on first request).",
  request: { params: idParam("med") },
  responses: {
    200: {
      content: {
        "image/webp": { schema: z.string().openapi({ format: "binary" }) },
        "image/svg+xml": { schema: z.string() },
      },
      description: "The thumbnail, or an icon",
    },
    202: bytes("Placeholder; the thumbnail is being generated"),
    ...pickProblems(401, 403, 404),
  },
});

export const createUpload = createRoute({
  operationId: "createUpload",
  method: "post",
  path: "/media/uploads",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Start a resumable upload (for files above the single-request limit)",
  description:
    "At most 10 uploads may be open per user (409 `too_many_uploads`). Each part's size counts against the storage quota from the moment it is sent until the upload completes, is aborted or expires.",
  request: {
    body: jsonBody(
      z.strictObject({
        name: fileNameField,
        folder: folderField.optional(),
        tags: tagsField.optional(),
        onConflict: onConflictField.optional(),
      }),
    ),
  },
  responses: {
    201: jsonContent(z.object({ upload: uploadSchema }), "Started"),
    ...pickProblems(400, 401, 403, 409, 413, 415, 422),
  },
});

export const uploadPart = createRoute({
  operationId: "uploadPart",
  method: "put",
  path: "/media/uploads/{id}/parts/{partNumber}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Upload one part (raw bytes, Content-Length required); retrying a part replaces it",
  description:
    "A part that would take used plus reserved bytes over the storage quota is refused (413 `quota_exceeded`) before any byte is stored. A PUT of a part is idempotent by itself: sending it again stores the same part again, another body replaces it. `Idempotency-Key` is therefore not recorded for parts.",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
      partNumber: z.coerce
        .number()
        .int()
        .min(1)
        .max(10_000)
        .openapi({ param: { name: "partNumber", in: "path" } }),
    }),
    // Documented, not validated here: the part streams straight to R2.
    body: {
      required: true,
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
  },
  responses: {
    200: jsonContent(
      z.object({ partNumber: z.number().int(), etag: z.string(), size: z.number().int() }),
      "Stored",
    ),
    411: {
      content: { "application/problem+json": { schema: problemSchema } },
      description: "Content-Length is missing",
    },
    ...pickProblems(400, 401, 403, 404, 409, 413, 422),
  },
});

export const completeUpload = createRoute({
  operationId: "completeUpload",
  method: "post",
  path: "/media/uploads/{id}/complete",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Assemble the parts, check and store the file",
  request: { params: idParam("upl") },
  responses: {
    201: jsonContent(uploadedBody, "Stored"),
    200: jsonContent(
      z.object({ media: mediaSchema, conflict: conflictSchema }),
      "Skipped (`onConflict=skip`)",
    ),
    ...pickProblems(401, 403, 404, 409, 413, 415, 422),
  },
});

export const abortUpload = createRoute({
  operationId: "abortUpload",
  method: "delete",
  path: "/media/uploads/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Abort a resumable upload",
  request: { params: idParam("upl") },
  responses: { 204: { description: "Aborted" }, ...pickProblems(401, 403, 404, 409) },
});
