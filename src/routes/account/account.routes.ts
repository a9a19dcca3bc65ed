import { z } from "@hono/zod-openapi";
import { API_KEY_SCOPES } from "../../auth/api-keys";
import { requires } from "../../policy";
import { tokensSchema } from "../auth/auth.routes";
import { newPasswordField } from "../fields";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";
import { apiKeySchema, idParam, meSchema, sessionSchema } from "../schemas";

const tags = ["Accounts"];
const accountRead = requires({ kind: "user", scope: "account:read" });
/** Credentials are managed by a signed-in person, never through an API key. */
const interactive = requires({ kind: "interactive" });
/** New API keys also need a verified email address. */
const interactiveVerified = requires({ kind: "interactive", verified: true });

export const getMe = createRoute({
  operationId: "getMe",
  method: "get",
  path: "/me",
  tags,
  middleware: [accountRead] as const,
  summary: "The signed-in user, with role, credits and quota",
  responses: { 200: jsonContent(z.object({ user: meSchema }), "You"), ...pickProblems(401, 403) },
});

export const changePassword = createRoute({
  operationId: "changePassword",
  method: "post",
  path: "/me/password",
  tags,
  middleware: [interactive] as const,
  summary: "Change your password",
  description:
    "Ends every session of the account, including this one, revokes every API key of the account, and starts a fresh session for the caller (new cookie and tokens).",
  request: {
    body: jsonBody(
      z.strictObject({
        currentPassword: z.string().min(1).max(1024),
        newPassword: newPasswordField,
      }),
    ),
  },
  responses: {
    200: jsonContent(tokensSchema, "Password changed; new session"),
    ...pickProblems(400, 401, 403, 415, 422, 429),
  },
});

export const listSessions = createRoute({
  operationId: "listSessions",
  method: "get",
  path: "/sessions",
  tags,
  middleware: [interactive] as const,
  summary: "Your live sessions",
  responses: {
    200: jsonContent(z.object({ items: z.array(sessionSchema) }), "Sessions"),
    ...pickProblems(401, 403),
  },
});

export const endSession = createRoute({
  operationId: "endSession",
  method: "delete",
  path: "/sessions/{id}",
  tags,
  middleware: [interactive] as const,
  summary: "End one of your sessions",
  request: { params: idParam("ses") },
  responses: { 204: { description: "Ended" }, ...pickProblems(401, 403, 404) },
});

export const endOtherSessions = createRoute({
  operationId: "endOtherSessions",
  method: "delete",
  path: "/sessions",
  tags,
  middleware: [interactive] as const,
  summary: "End all your sessions but this one",
  responses: { 200: jsonContent(z.object({ ended: z.number().int() }), "Ended"), ...pickProblems(401, 403) },
});

export const createApiKey = createRoute({
  operationId: "createApiKey",
  method: "post",
  path: "/api-keys",
  tags,
  middleware: [interactiveVerified] as const,
  summary: "Create an API key",
  description:
    "The `secret` is in this answer only; it is stored hashed and can't be shown again. Needs a verified email address (403 `email_unverified`).",
  request: {
    body: jsonBody(
      z.strictObject({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    ),
  },
  responses: {
    201: jsonContent(z.object({ apiKey: apiKeySchema, secret: z.string() }), "Created"),
    ...pickProblems(400, 401, 403, 415, 422, 429),
  },
});

export const listApiKeys = createRoute({
  operationId: "listApiKeys",
  method: "get",
  path: "/api-keys",
  tags,
  middleware: [interactive] as const,
  summary: "Your API keys (without secrets)",
  responses: {
    200: jsonContent(z.object({ items: z.array(apiKeySchema) }), "Keys"),
    ...pickProblems(401, 403),
  },
});

export const revokeApiKey = createRoute({
  operationId: "revokeApiKey",
  method: "delete",
  path: "/api-keys/{id}",
  tags,
  middleware: [interactive] as const,
  summary: "Revoke an API key",
  request: { params: idParam("key") },
  responses: { 204: { description: "Revoked" }, ...pickProblems(401, 403, 404) },
});
