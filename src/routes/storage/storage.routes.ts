import { z } from "@hono/zod-openapi";
import { jobSchema } from "../../job-types";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { folderField } from "../fields";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const tags = ["Storage"];
const read = requires({ kind: "user", scope: "storage:read" });
const write = requires({ kind: "user", scope: "storage:write" });

export const connectionSchema = z
  .object({
    id: z.string(),
    endpoint: z.string(),
    region: z.string(),
    bucket: z.string(),
    prefix: z
      .string()
      .openapi({ description: "The root every import, export and organize run stays under." }),
    accessKeyId: z.string(),
    lastCheckedAt: z
      .string()
      .nullable()
      .openapi({ description: "When the store last accepted the connection." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("StorageConnection");

const createBody = z
  .strictObject({
    endpoint: z.string().min(1).max(500).openapi({
      format: "uri",
      example: "https://s3.eu-central-1.amazonaws.com",
      description:
        "The store's S3 API base; buckets are addressed path-style (`<endpoint>/<bucket>/<key>`). https to a public host (http and local hosts only where ALLOW_PRIVATE_STORAGE is set).",
    }),
    region: z.string().min(1).max(64).openapi({ example: "eu-central-1", description: "`auto` for R2." }),
    bucket: z.string().min(1).max(255),
    prefix: z.string().max(512).default("").openapi({ example: "photos/" }),
    accessKeyId: z.string().min(1).max(256),
    secretAccessKey: z
      .string()
      .min(1)
      .max(512)
      .openapi({ description: "Stored encrypted; never returned by the API." }),
  })
  .openapi("StorageConnectionInput");

const connectionBody = z.object({ connection: connectionSchema });
const connectionId = idParam("stc");

export const createStorageConnection = createRoute({
  operationId: "createStorageConnection",
  method: "post",
  path: "/storage/connections",
  tags,
  middleware: [write] as const,
  summary: "Register an S3-compatible bucket (checked against the store first)",
  description:
    "The store must list the prefix with these credentials; otherwise the answer is a 422 (`storage_credentials_refused`, `storage_bucket_not_found`, `storage_unreachable`, `storage_request_failed`) and nothing is stored.",
  request: { body: jsonBody(createBody) },
  responses: {
    201: jsonContent(connectionBody, "Registered"),
    ...pickProblems(401, 403, 409, 422),
  },
});

export const listStorageConnections = createRoute({
  operationId: "listStorageConnections",
  method: "get",
  path: "/storage/connections",
  tags,
  middleware: [read] as const,
  summary: "Your storage connections",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(connectionSchema, "A page"),
    ...pickProblems(400, 401, 403),
  },
});

export const getStorageConnection = createRoute({
  operationId: "getStorageConnection",
  method: "get",
  path: "/storage/connections/{id}",
  tags,
  middleware: [read] as const,
  summary: "One storage connection",
  request: { params: connectionId },
  responses: { 200: jsonContent(connectionBody, "The connection"), ...pickProblems(401, 403, 404) },
});

export const testStorageConnection = createRoute({
  operationId: "testStorageConnection",
  method: "post",
  path: "/storage/connections/{id}/test",
  tags,
  middleware: [read] as const,
  summary: "Check that the store still accepts the connection",
  request: { params: connectionId },
  responses: { 200: jsonContent(connectionBody, "It does"), ...pickProblems(401, 403, 404, 422) },
});

export const deleteStorageConnection = createRoute({
  operationId: "deleteStorageConnection",
  method: "delete",
  path: "/storage/connections/{id}",
  tags,
  middleware: [write] as const,
  summary: "Forget a connection (nothing in the bucket changes)",
  request: { params: connectionId },
  responses: { 204: { description: "Deleted" }, ...pickProblems(401, 403, 404) },
});

const keyPrefix = z.string().max(512).default("").openapi({
  example: "2024/",
  description: "Relative to the connection's prefix; empty: all of it.",
});

const importBody = z
  .strictObject({
    prefix: keyPrefix,
    folder: folderField.default("/").openapi({
      description: "Where the files land; the keys' paths below the prefix become subfolders.",
    }),
  })
  .openapi("StorageImportInput");

const exportBody = z
  .strictObject({
    folder: folderField
      .default("/")
      .openapi({ description: "This folder and its subfolders (unless `mediaIds`)." }),
    prefix: keyPrefix,
    mediaIds: z
      .array(z.string().min(1).max(64))
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: "Export these files instead of a folder." }),
  })
  .openapi("StorageExportInput");

const queued = (what: string) => jsonContent(z.object({ job: jobSchema }), what);

export const importFromStorage = createRoute({
  operationId: "importFromStorage",
  method: "post",
  path: "/storage/connections/{id}/import",
  tags,
  middleware: [
    requires({ kind: "user", scope: "storage:read" }),
    requires({ kind: "user", scope: "media:write" }),
  ] as const,
  summary: "Import the objects under a prefix into the library (a job)",
  description:
    "Streamed through the same checks as any upload (type, size, quota, SHA-256 dedupe). An object whose bytes are already a file in its target folder is skipped, so running an import again adds nothing; an object imported before and unchanged since (same ETag and size) is not even read. Progress over `GET /jobs/{id}` and its WebSocket; the result counts copied, skipped and failed objects.",
  request: { params: connectionId, body: jsonBody(importBody) },
  responses: { 202: queued("The import job"), ...pickProblems(401, 403, 404, 422) },
});

export const exportToStorage = createRoute({
  operationId: "exportToStorage",
  method: "post",
  path: "/storage/connections/{id}/export",
  tags,
  middleware: [write, requires({ kind: "user", scope: "media:read" })] as const,
  summary: "Write a folder or a selection of files under a prefix (a job)",
  description:
    "Keys are the prefix, the file's folder below the exported folder, and its name; existing keys are overwritten.",
  request: { params: connectionId, body: jsonBody(exportBody) },
  responses: { 202: queued("The export job"), ...pickProblems(401, 403, 404, 422) },
});
