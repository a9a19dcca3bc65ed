import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import * as twoFactor from "../../auth/two-factor";
import { resendVerification } from "../../auth/verification";
import { getDb } from "../../db/client";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import { sendMailLater } from "../mail";
import type * as routes from "./security.routes";

export const resendVerificationHandler: RouteHandler<typeof routes.resendVerification, AppEnv> = async (
  c,
) => {
  const { userId } = caller(c);
  await spendRateLimit(c, "verify-resend", userId);
  const eventId = await resendVerification(getDb(c.env.DB), userId, c.env.AUTH_SECRET, c.var.clock());
  sendMailLater(c, [eventId]);
  return c.json({ status: "accepted" as const, detail: "We have sent you a new link." }, 202);
};

export const setupTwoFactorHandler: RouteHandler<typeof routes.setupTwoFactor, AppEnv> = async (c) => {
  const setup = await twoFactor.setupTwoFactor(
    getDb(c.env.DB),
    caller(c).userId,
    c.env.AUTH_SECRET,
    c.var.clock(),
  );
  return c.json(setup, 200);
};

export const enableTwoFactorHandler: RouteHandler<typeof routes.enableTwoFactor, AppEnv> = async (c) => {
  const { userId } = caller(c);
  await spendRateLimit(c, "otp-account", userId);
  const { recoveryCodes, mailEvent } = await twoFactor.enableTwoFactor(
    getDb(c.env.DB),
    userId,
    c.req.valid("json").code,
    c.env.AUTH_SECRET,
    c.var.clock(),
    auditContext(c),
  );
  sendMailLater(c, [mailEvent]);
  return c.json({ recoveryCodes }, 200);
};

export const disableTwoFactorHandler: RouteHandler<typeof routes.disableTwoFactor, AppEnv> = async (c) => {
  const { userId } = caller(c);
  await spendRateLimit(c, "otp-account", userId);
  const { mailEvent } = await twoFactor.disableTwoFactor(
    getDb(c.env.DB),
    userId,
    c.req.valid("json"),
    c.env.AUTH_SECRET,
    c.var.clock(),
    auditContext(c),
  );
  sendMailLater(c, [mailEvent]);
  return c.json({ twoFactorEnabled: false as const }, 200);
};
