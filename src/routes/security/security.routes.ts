import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { acceptedSchema } from "../auth/auth.routes";
import { createRoute, jsonBody, jsonContent, pickProblems } from "../openapi";

const tags = ["Account security"];
const interactive = requires({ kind: "interactive" });
const totpCode = z
  .string()
  .regex(/^\d{6}$/)
  .openapi({ description: "The 6-digit code the authenticator app shows" });
/** A 6-digit code, or a recovery code (`xxxxx-xxxxx`, any case, dash or space optional). */
const code = z
  .string()
  .regex(/^(\d{6}|[A-Za-z0-9]{5}[- ]?[A-Za-z0-9]{5})$/)
  .openapi({ description: "A 6-digit code, or a recovery code" });

export const resendVerification = createRoute({
  operationId: "resendVerificationEmail",
  method: "post",
  path: "/me/verify-email/resend",
  tags,
  middleware: [interactive] as const,
  summary: "Mail a new email-verification link",
  description: "409 `already_verified` when the address is verified. Rate limited per account.",
  responses: { 202: jsonContent(acceptedSchema, "Sent"), ...pickProblems(401, 403, 409, 429) },
});

export const setupTwoFactor = createRoute({
  operationId: "setupTwoFactor",
  method: "post",
  path: "/me/2fa/setup",
  tags,
  middleware: [interactive] as const,
  summary: "Start two-factor setup",
  description:
    "Returns a new TOTP secret and its otpauth:// URL (show it as a QR code). Nothing changes at sign-in until `enable` sees a code made from it.",
  responses: {
    200: jsonContent(
      z.object({
        secret: z.string().openapi({ description: "Base32, for typing into an authenticator app" }),
        otpauthUrl: z.string(),
      }),
      "Setup started",
    ),
    ...pickProblems(401, 403, 409),
  },
});

export const enableTwoFactor = createRoute({
  operationId: "enableTwoFactor",
  method: "post",
  path: "/me/2fa/enable",
  tags,
  middleware: [interactive] as const,
  summary: "Turn two-factor sign-in on",
  description:
    "Needs a current code from the secret of `setup`. Answers ten recovery codes, shown this once (each works once, in place of a code).",
  request: { body: jsonBody(z.strictObject({ code: totpCode })) },
  responses: {
    200: jsonContent(z.object({ recoveryCodes: z.array(z.string()).length(10) }), "On"),
    ...pickProblems(400, 401, 403, 409, 415, 422, 429),
  },
});

export const disableTwoFactor = createRoute({
  operationId: "disableTwoFactor",
  method: "post",
  path: "/me/2fa/disable",
  tags,
  middleware: [interactive] as const,
  summary: "Turn two-factor sign-in off",
  description:
    "Needs the password (403 `invalid_credentials`) and a current code or a recovery code (422 `otp_invalid`).",
  request: { body: jsonBody(z.strictObject({ password: z.string().min(1).max(1024), code })) },
  responses: {
    200: jsonContent(z.object({ twoFactorEnabled: z.literal(false) }), "Off"),
    ...pickProblems(400, 401, 403, 409, 415, 422, 429),
  },
});
