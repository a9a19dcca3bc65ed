import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../app-env";
import { type AuditEvent, recordAudit } from "../../audit/record";
import { normalizeEmail, registerUser, userIdByEmail } from "../../auth/accounts";
import { confirmPasswordReset, requestPasswordReset } from "../../auth/password-reset";
import { createSession, revokeSessions, rotateRefreshToken } from "../../auth/sessions";
import { checkCredentials, newSignInNotice } from "../../auth/sign-in";
import { issueAccessToken } from "../../auth/tokens";
import { verifyEmail } from "../../auth/verification";
import { getConfig } from "../../config";
import { getDb } from "../../db/client";
import { ApiError } from "../../errors";
import { sha256Hex } from "../../lib/crypto";
import { SESSION_COOKIE } from "../../middleware/auth";
import { clientIp, spendRateLimit } from "../../middleware/rate-limit";
import { auditContext } from "../audit-context";
import { sendMailLater } from "../mail";
import type {
  login,
  logout,
  passwordReset,
  passwordResetConfirm,
  refresh,
  register,
  verifyEmail as verifyEmailRoute,
} from "./auth.routes";

const CHECK_EMAIL = "If this address can be used, we have sent it an email. Follow the link in it.";

export const registerHandler: RouteHandler<typeof register, AppEnv> = async (c) => {
  await spendRateLimit(c, "register-ip", clientIp(c));
  const body = c.req.valid("json");
  const { mailEvents } = await registerUser(getDb(c.env.DB), body, {
    freeCredits: getConfig(c.env).freeCredits,
    now: c.var.clock(),
    secret: c.env.AUTH_SECRET,
  });
  sendMailLater(c, mailEvents);
  return c.json({ status: "accepted" as const, detail: CHECK_EMAIL }, 202);
};

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const ip = clientIp(c);
  await spendRateLimit(c, "login-ip", ip);
  // One client can spend only its own (account, client) bucket, so it can't lock the account out
  // for everyone; the larger per-account bucket still caps guessing spread over many addresses.
  const account = await sha256Hex(normalizeEmail(body.email));
  await spendRateLimit(c, "login-account-client", await sha256Hex(`${account}\n${ip}`));
  await spendRateLimit(c, "login-account", account);
  const db = getDb(c.env.DB);
  const now = c.var.clock();
  const user = await checkCredentials(db, body, {
    authSecret: c.env.AUTH_SECRET,
    now,
    beforeOtpCheck: (userId) => spendRateLimit(c, "otp-account", userId),
  }).catch(async (error: unknown) => {
    // A failed sign-in is its own audit event, about the account the email names (if any). Being
    // asked for the second factor is a step of a sign-in, not a failure.
    if (error instanceof ApiError && error.code !== "otp_required") {
      const subjectId = await userIdByEmail(db, body.email);
      await recordAudit(
        db,
        auditContext(c, null),
        {
          action: "auth.sign_in_failed",
          subjectId,
          targetType: "user",
          targetId: subjectId,
          detail: { reason: error.code },
        },
        now,
      );
    }
    throw error;
  });

  // Rotate at login: whatever session this browser had before is ended, never reused.
  const previous = c.get("principal");
  if (previous?.via === "session" && previous.sessionId) {
    await revokeSessions(
      { db, kv: c.env.SESSIONS, now, audit: auditContext(c) },
      { userId: previous.userId, sessionId: previous.sessionId },
      "replaced_by_login",
    );
  }
  const { sessionId, ...tokens } = await startSession(c, user.id, {
    action: "auth.sign_in",
    subjectId: user.id,
  });
  sendMailLater(c, [
    await newSignInNotice(
      db,
      { userId: user.id, sessionId, ip, userAgent: c.req.header("user-agent") ?? null },
      now,
    ),
  ]);
  c.set("logFields", { userId: user.id });
  return c.json(
    {
      user: { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt },
      ...tokens,
    },
    200,
  );
};

/**
 * Starts a session for `userId` on this response: the session cookie, and an access token plus the
 * first refresh token of its family for API clients.
 */
export async function startSession(c: Context<AppEnv>, userId: string, audit: AuditEvent | null = null) {
  const config = getConfig(c.env);
  const now = c.var.clock();
  const session = await createSession(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, config, now },
    { userId, userAgent: c.req.header("user-agent") ?? null, ip: clientIp(c) },
    audit ? { context: auditContext(c, userId), event: audit } : null,
  );
  setSessionCookie(c, session.cookieToken, config.sessionAbsolute);
  const accessToken = await issueAccessToken(
    { userId, sessionId: session.sessionId },
    config,
    c.env.AUTH_SECRET,
    now,
  );
  return {
    sessionId: session.sessionId,
    accessToken,
    refreshToken: session.refreshToken,
    expiresIn: config.accessTokenTtl,
  };
}

export const refreshHandler: RouteHandler<typeof refresh, AppEnv> = async (c) => {
  const { refreshToken } = c.req.valid("json");
  await spendRateLimit(c, "login-ip", clientIp(c));
  const db = getDb(c.env.DB);
  const config = getConfig(c.env);
  const now = c.var.clock();
  const outcome = await rotateRefreshToken(
    { db, kv: c.env.SESSIONS, config, now, audit: auditContext(c) },
    refreshToken,
  );
  if (outcome.kind === "reused") {
    throw new ApiError(
      401,
      "refresh_token_reused",
      "This refresh token was already used; the session has been ended.",
    );
  }
  if (outcome.kind === "invalid")
    throw new ApiError(401, "invalid_refresh_token", "The refresh token is invalid or expired.");
  const accessToken = await issueAccessToken(
    { userId: outcome.userId, sessionId: outcome.sessionId },
    config,
    c.env.AUTH_SECRET,
    now,
  );
  return c.json({ accessToken, refreshToken: outcome.refreshToken, expiresIn: config.accessTokenTtl }, 200);
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
  const principal = c.get("principal");
  if (principal?.sessionId) {
    await revokeSessions(
      { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c) },
      { userId: principal.userId, sessionId: principal.sessionId },
      "logout",
    );
  }
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, prefix: "host" });
  return c.body(null, 204);
};

export function setSessionCookie(c: Context<AppEnv>, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: maxAgeSeconds,
    prefix: "host",
  });
}

export const verifyEmailHandler: RouteHandler<typeof verifyEmailRoute, AppEnv> = async (c) => {
  await spendRateLimit(c, "password-reset-ip", clientIp(c));
  await verifyEmail(getDb(c.env.DB), c.req.valid("json").token, c.var.clock());
  return c.json({ verified: true as const }, 200);
};

export const passwordResetHandler: RouteHandler<typeof passwordReset, AppEnv> = async (c) => {
  const { email } = c.req.valid("json");
  await spendRateLimit(c, "password-reset-ip", clientIp(c));
  await spendRateLimit(c, "password-reset-account", await sha256Hex(normalizeEmail(email)));
  const eventId = await requestPasswordReset(getDb(c.env.DB), email, c.env.AUTH_SECRET, c.var.clock());
  sendMailLater(c, [eventId]);
  return c.json({ status: "accepted" as const, detail: CHECK_EMAIL }, 202);
};

export const passwordResetConfirmHandler: RouteHandler<typeof passwordResetConfirm, AppEnv> = async (c) => {
  await spendRateLimit(c, "password-reset-ip", clientIp(c));
  const { token, password } = c.req.valid("json");
  const eventId = await confirmPasswordReset(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c, null) },
    token,
    password,
  );
  sendMailLater(c, [eventId]);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, prefix: "host" });
  return c.json({ status: "password_changed" as const }, 200);
};
