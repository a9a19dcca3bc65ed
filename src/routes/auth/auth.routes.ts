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

export const acceptedSchema = z
  .object({ status: z.literal("accepted"), detail: z.string() })
  .openapi("Accepted");

export const register = createRoute({
  operationId: "register",
  method: "post",
  path: "/auth/register",
  tags,
  summary: "Create an account",
  description:
    "Answers 202 \"check your email\" whether or not the email already has an account, so the API can't be used to find accounts: a new account gets a verification link (valid 24 h), an existing one's owner gets a note instead. The new account can sign in at once; buying credits and creating API keys wait for the verified address.",
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
    202: jsonContent(acceptedSchema, "Check your email"),
    ...pickProblems(400, 403, 413, 415, 422, 429),
  },
});

export const login = createRoute({
  operationId: "login",
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Sign in",
  description:
    "Starts a session: sets the session cookie and returns an access token and a refresh token. With two-factor sign-in on, `otp` (a 6-digit code or a recovery code) is needed: without it 401 `otp_required`, wrong or already used 401 `otp_invalid`. A disabled account gets 403 `account_disabled` (only with the right password).",
  request: {
    body: jsonBody(
      z.strictObject({
        email: emailSchema,
        password: z.string().min(1).max(1024),
        otp: z
          .string()
          .max(16)
          .optional()
          .openapi({ description: "Two-factor code from an authenticator app, or a recovery code" }),
      }),
    ),
  },
  responses: {
    200: jsonContent(tokensSchema.extend({ user: userSchema }), "Signed in"),
    ...pickProblems(400, 401, 403, 413, 415, 422, 429),
  },
});

const tokenField = z
  .string()
  .length(68)
  .regex(/^tok_[a-z0-9]{20}\.[A-Za-z0-9_-]{43}$/)
  .openapi({ description: "The token from the emailed link" });

export const verifyEmail = createRoute({
  operationId: "verifyEmail",
  method: "post",
  path: "/auth/verify-email",
  tags,
  summary: "Confirm an email address with the emailed token",
  description:
    "The token works once and for 24 hours; a used, expired or unknown one is 400 `invalid_token`.",
  request: { body: jsonBody(z.strictObject({ token: tokenField })) },
  responses: {
    200: jsonContent(z.object({ verified: z.literal(true) }), "Verified"),
    ...pickProblems(400, 415, 422, 429),
  },
});

export const passwordReset = createRoute({
  operationId: "requestPasswordReset",
  method: "post",
  path: "/auth/password-reset",
  tags,
  summary: "Ask for a password-reset link",
  description:
    "Always answers 202 the same way, with the same work done, whether or not the email has an account. The link works once, for 30 minutes.",
  request: { body: jsonBody(z.strictObject({ email: emailSchema })) },
  responses: { 202: jsonContent(acceptedSchema, "Check your email"), ...pickProblems(400, 415, 422, 429) },
});

export const passwordResetConfirm = createRoute({
  operationId: "confirmPasswordReset",
  method: "post",
  path: "/auth/password-reset/confirm",
  tags,
  summary: "Set a new password with a reset token",
  description:
    'Uses the token up, sets the password, ends every session and refresh-token family of the account, and mails "password changed". Two-factor sign-in, if on, stays on.',
  request: { body: jsonBody(z.strictObject({ token: tokenField, password: z.string().min(1).max(1024) })) },
  responses: {
    200: jsonContent(z.object({ status: z.literal("password_changed") }), "Password changed"),
    ...pickProblems(400, 415, 422, 429),
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
