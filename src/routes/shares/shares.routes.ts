import { z } from "@hono/zod-openapi";
import { problemSchema } from "../../errors";
import { pageQuerySchema } from "../../lib/pagination";
import { requires } from "../../policy";
import { subfolderField } from "../fields";
import { transformQuerySchema } from "../images/images.routes";
import { createRoute, jsonBody, jsonContent, pageContent, pickProblems } from "../openapi";

const tokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "token", in: "path" } }),
});
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});
/** A person's browser gets a page, an API client problem+json. */
const pageOrProblem = (description: string) => ({
  content: { "text/html": { schema: z.string() }, "application/problem+json": { schema: problemSchema } },
  description,
});
const pageAnswers = {
  401: pageOrProblem("A password is needed (the form), or it was wrong"),
  404: pageOrProblem("No such link (or a tampered one)"),
  410: pageOrProblem("Expired or revoked"),
  429: pageOrProblem("Too many requests or password attempts"),
};
const bytes = (description: string) => ({
  content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
  description,
});
const mediaRead = requires({ kind: "user", scope: "media:read" });
const mediaWrite = requires({ kind: "user", scope: "media:write" });
const DAY = 86_400;

export const expiresField = z
  .number()
  .int()
  .min(60)
  .max(365 * DAY)
  .optional()
  .openapi({ description: "Seconds the link lives; SHARE_DEFAULT_TTL_SECONDS (30 days) when left out" });
export const passwordField = z
  .string()
  .min(4)
  .max(200)
  .optional()
  .openapi({ description: "People opening the link must type it (stored hashed)" });

export const shareSchema = z
  .object({
    id: z.string(),
    kind: z.enum(["file", "folder", "selection"]),
    mediaId: z.string().nullable(),
    folder: z.string().nullable(),
    name: z.string().openapi({ description: "The file's name, the folder's path, or `N files`" }),
    files: z.number().int(),
    expiresAt: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    downloads: z.number().int(),
    views: z.number().int(),
    lastAccessedAt: z.string().nullable(),
    hasPassword: z.boolean(),
    token: z.string(),
    url: z.string(),
  })
  .openapi("Share");

const fileQuery = z.object({
  file: z.string().max(64).optional().openapi({ description: "A file of a folder's or selection's link" }),
});

export const openShare = createRoute({
  operationId: "openShare",
  method: "get",
  path: "/shares/{token}",
  tags: ["Shares"],
  summary: "Open a share link: a page for browsers, the file for everyone else",
  description:
    "`Accept: text/html` (a browser) gets a page: a file's preview, name, size and a Download button, or a folder's or selection's list of files; expired, revoked and unknown links get a friendly page. `?download=1` or any other `Accept` gets the bytes (`?file=<id>` picks one file of a folder or selection; without it, a JSON list of the files). A link with a password needs the unlock cookie (the page's form) or `X-Share-Password`.",
  request: {
    params: tokenParam,
    query: fileQuery.extend({ download: z.enum(["1", "true"]).optional() }),
  },
  responses: {
    200: {
      content: {
        "text/html": { schema: z.string() },
        "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
        "application/json": {
          schema: z.object({
            share: z.object({ kind: z.string(), name: z.string(), expiresAt: z.string() }),
            files: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                size: z.number().int(),
                mime: z.string(),
                url: z.string(),
              }),
            ),
          }),
        },
      },
      description: "The page, the file, or the list of files",
    },
    206: bytes("Part of the file"),
    304: { description: "Not modified" },
    ...pickProblems(422),
    ...pageAnswers,
  },
});

export const unlockShare = createRoute({
  operationId: "unlockShare",
  method: "post",
  path: "/shares/{token}/unlock",
  tags: ["Shares"],
  summary: "Give a link's password (the page's form): sets the unlock cookie and goes back to the page",
  description: "Rate limited per link and client (`share-unlock`).",
  request: {
    params: tokenParam,
    // Documented, not validated here: the handler reads the form (or JSON) itself.
    body: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": {
          schema: {
            type: "object",
            properties: { password: { type: "string", maxLength: 200 } },
            required: ["password"],
          },
        },
        "application/json": {
          schema: {
            type: "object",
            properties: { password: { type: "string", maxLength: 200 } },
            required: ["password"],
          },
        },
      },
    },
  },
  responses: {
    303: { description: "Unlocked: back to the link's page" },
    ...pageAnswers,
  },
});

export const shareImage = createRoute({
  operationId: "shareImage",
  method: "get",
  path: "/shares/{token}/image",
  tags: ["Shares"],
  summary: "A signed transformation of a shared image (the link's owner signs each variant)",
  description:
    "`sig` covers the file and the canonical parameters, so a link opens only the variants its owner (or its page) made: `POST /me/shares/{id}/image-url` signs one.",
  request: {
    params: tokenParam,
    query: transformQuerySchema.extend({ file: fileQuery.shape.file, sig: z.string().max(64) }),
  },
  responses: {
    200: bytes("The image"),
    304: { description: "Not modified" },
    ...pickProblems(401, 403, 404, 413, 415, 422, 429),
    410: { description: "Expired or revoked" },
  },
});

export const shareZip = createRoute({
  operationId: "shareZip",
  method: "get",
  path: "/shares/{token}/zip",
  tags: ["Shares"],
  summary: "Every file of a folder's or selection's link as one ZIP (streamed)",
  request: { params: tokenParam },
  responses: {
    200: {
      content: { "application/zip": { schema: z.string().openapi({ format: "binary" }) } },
      description: "ZIP",
    },
    ...pickProblems(401, 404, 413, 429),
    410: { description: "Expired or revoked" },
  },
});

export const createShare = createRoute({
  operationId: "createShare",
  method: "post",
  path: "/shares",
  tags: ["Shares"],
  middleware: [mediaWrite] as const,
  summary: "Share a folder (with its sub-folders) or a selection of files",
  request: {
    body: jsonBody(
      z.union([
        z.strictObject({ folder: subfolderField, expiresInSeconds: expiresField, password: passwordField }),
        z.strictObject({
          mediaIds: z.array(z.string().min(1).max(64)).min(1).max(500),
          expiresInSeconds: expiresField,
          password: passwordField,
        }),
      ]),
    ),
  },
  responses: {
    201: jsonContent(z.object({ share: shareSchema }), "Created"),
    ...pickProblems(400, 401, 403, 404, 415, 422),
  },
});

export const myShares = createRoute({
  operationId: "myShares",
  method: "get",
  path: "/me/shares",
  tags: ["Shares"],
  middleware: [mediaRead] as const,
  summary: "My shares: every link with its views, downloads, last access and expiry, newest first",
  request: { query: pageQuerySchema },
  responses: {
    200: pageContent(shareSchema, "A page"),
    ...pickProblems(400, 401, 403, 422),
  },
});

export const extendShare = createRoute({
  operationId: "extendShare",
  method: "patch",
  path: "/me/shares/{id}",
  tags: ["Shares"],
  middleware: [mediaWrite] as const,
  summary: "Extend a link: a new expiry counted from now (the URL stays the same)",
  request: { params: idParam, body: jsonBody(z.strictObject({ expiresInSeconds: expiresField.unwrap() })) },
  responses: {
    200: jsonContent(z.object({ share: shareSchema }), "Extended"),
    ...pickProblems(400, 401, 403, 404, 409, 415, 422),
  },
});

export const revokeMyShare = createRoute({
  operationId: "revokeMyShare",
  method: "delete",
  path: "/me/shares/{id}",
  tags: ["Shares"],
  middleware: [mediaWrite] as const,
  summary: "Revoke a link",
  request: { params: idParam },
  responses: { 204: { description: "Revoked" }, ...pickProblems(401, 403, 404) },
});

export const signShareImage = createRoute({
  operationId: "signShareImage",
  method: "post",
  path: "/me/shares/{id}/image-url",
  tags: ["Shares"],
  middleware: [mediaRead] as const,
  summary: "A public URL of one transformation of a shared image (signed by the link)",
  request: {
    params: idParam,
    body: jsonBody(
      z.strictObject({
        file: z.string().max(64).optional(),
        w: z.number().int().min(1).max(4096).optional(),
        h: z.number().int().min(1).max(4096).optional(),
        fit: z.enum(["cover", "contain", "inside"]).default("inside"),
        format: z.enum(["webp", "avif", "jpeg", "png"]).default("webp"),
        q: z.number().int().min(1).max(100).optional(),
      }),
    ),
  },
  responses: {
    200: jsonContent(z.object({ url: z.string() }), "The signed URL"),
    ...pickProblems(400, 401, 403, 404, 415, 422),
  },
});

const mediaIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "med_0123456789abcdefghij" }),
});

export const createFileShare = createRoute({
  operationId: "createFileShare",
  method: "post",
  path: "/media/{id}/shares",
  tags: ["Media"],
  middleware: [mediaWrite] as const,
  summary: "Share a file: a signed link that expires (30 days by default), optionally with a password",
  description: "A file has at most 20 live (unrevoked, unexpired) links: 409 `too_many_shares` beyond.",
  request: {
    params: mediaIdParam,
    body: jsonBody(z.strictObject({ expiresInSeconds: expiresField, password: passwordField })),
  },
  responses: {
    201: jsonContent(z.object({ share: shareSchema }), "Created"),
    ...pickProblems(400, 401, 403, 404, 409, 415, 422),
  },
});

export const fileShares = createRoute({
  operationId: "fileShares",
  method: "get",
  path: "/media/{id}/shares",
  tags: ["Media"],
  middleware: [mediaRead] as const,
  summary: "Share links of a file, newest first",
  request: { params: mediaIdParam, query: pageQuerySchema },
  responses: {
    200: pageContent(shareSchema, "A page"),
    ...pickProblems(400, 401, 403, 404, 422),
  },
});

export const revokeFileShare = createRoute({
  operationId: "revokeFileShare",
  method: "delete",
  path: "/media/{id}/shares/{shareId}",
  tags: ["Media"],
  middleware: [mediaWrite] as const,
  summary: "Revoke a share link of a file",
  request: {
    params: mediaIdParam.extend({
      shareId: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "shareId", in: "path" } }),
    }),
  },
  responses: { 204: { description: "Revoked" }, ...pickProblems(401, 403, 404) },
});
