import { z } from "@hono/zod-openapi";
import { newPasswordField } from "../fields";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";
import { emailSchema, userSchema } from "../schemas";

const tags = ["Accounts"];

export const tokensSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("Tokens");

export const register = createRoute({
  operationId: "register",
  method: "post",
  path: "/auth/register",
  tags,
  summary: "Create an account",
  description:
    "Answers 201 with the same shape whether or not the email already has an account, so the API can't be used to find accounts.",
  request: {
    body: jsonBody(
      z.strictObject({
        email: emailSchema,
        password: newPasswordField,
        name: z.string().trim().min(1).max(100).optional(),
      }),
    ),
  },
  responses: {
    201: jsonContent(z.object({ user: userSchema }), "Account created"),
    ...pickProblems(400, 403, 413, 415, 422, 429),
  },
});

export const login = createRoute({
  operationId: "login",
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Sign in",
  description: "Starts a session: sets the session cookie and returns an access token and a refresh token.",
  request: {
    body: jsonBody(
      z.strictObject({
        email: emailSchema,
        password: z.string().min(1).max(1024),
        otp: z.string().max(16).optional().openapi({ description: "Reserved for two-factor sign-in" }),
      }),
    ),
  },
  responses: {
    200: jsonContent(tokensSchema.extend({ user: userSchema }), "Signed in"),
    ...pickProblems(400, 401, 403, 413, 415, 422, 429),
  },
});

export const refresh = createRoute({
  operationId: "refresh",
  method: "post",
  path: "/auth/refresh",
  tags,
  summary: "Swap a refresh token for new tokens",
  description: "Refresh tokens rotate. Presenting one that was already used revokes the whole family.",
  request: { body: jsonBody(z.strictObject({ refreshToken: z.string().min(1).max(200) })) },
  responses: {
    200: jsonContent(tokensSchema, "New tokens"),
    ...pickProblems(400, 401, 415, 422, 429),
  },
});

export const logout = createRoute({
  operationId: "logout",
  method: "post",
  path: "/auth/logout",
  tags,
  summary: "Sign out",
  description: "Ends this session and its token family, and clears the cookie.",
  responses: { 204: { description: "Signed out" }, ...pickProblems(401, 403) },
});
