import type { RouteHandler } from "@hono/zod-openapi";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { AppEnv } from "../../app-env";
import { readAccount } from "../../auth/account-cache";
import { changePassword as changeUserPassword } from "../../auth/accounts";
import * as apiKeyService from "../../auth/api-keys";
import { revokeSessions } from "../../auth/sessions";
import { getConfig } from "../../config";
import { getDb } from "../../db/client";
import { type ApiKey, sessions } from "../../db/schema";
import { ApiError, notFound } from "../../errors";
import { isoAfter } from "../../lib/clock";
import { spendRateLimit } from "../../middleware/rate-limit";
import { caller, grantableScopes } from "../../policy";
import { auditContext } from "../audit-context";
import { startSession } from "../auth/auth.handlers";
import { sendMailLater } from "../mail";
import type {
  changePassword,
  createApiKey,
  endOtherSessions,
  endSession,
  getMe,
  listApiKeys,
  listSessions,
  revokeApiKey,
} from "./account.routes";

export const getMeHandler: RouteHandler<typeof getMe, AppEnv> = async (c) => {
  const { userId } = caller(c);
  const user = await readAccount(getDb(c.env.DB), userId, {
    seconds: getConfig(c.env).sessionCacheSeconds,
    nowMs: c.var.clock().getTime(),
  });
  if (!user) throw notFound("user");
  return c.json(
    {
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        createdAt: user.createdAt,
        disabled: user.disabledAt !== null,
        emailVerified: user.emailVerifiedAt !== null,
        twoFactorEnabled: user.totpEnabledAt !== null,
        credits: user.credits,
        quota: {
          bytes: user.quotaBytes,
          files: user.quotaFiles,
          usedBytes: user.usedBytes,
          usedFiles: user.usedFiles,
        },
      },
    },
    200,
  );
};

export const changePasswordHandler: RouteHandler<typeof changePassword, AppEnv> = async (c) => {
  const principal = caller(c);
  await spendRateLimit(c, "login-account", principal.userId);
  const db = getDb(c.env.DB);
  const now = c.var.clock();
  const audit = auditContext(c);
  const mailEventId = await changeUserPassword(db, principal.userId, c.req.valid("json"), now, audit);
  await revokeSessions(
    { db, kv: c.env.SESSIONS, now, audit },
    { userId: principal.userId },
    "password_changed",
  );
  sendMailLater(c, [mailEventId]);
  const { sessionId: _, ...tokens } = await startSession(c, principal.userId);
  return c.json(tokens, 200);
};

export const listSessionsHandler: RouteHandler<typeof listSessions, AppEnv> = async (c) => {
  const principal = caller(c);
  const rows = await getDb(c.env.DB)
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, principal.userId),
        isNull(sessions.revokedAt),
        gt(sessions.absoluteExpiresAt, c.var.clock().toISOString()),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt))
    .limit(200)
    .all();
  return c.json(
    {
      items: rows.map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        ip: s.ip,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        absoluteExpiresAt: s.absoluteExpiresAt,
        current: s.id === principal.sessionId,
      })),
    },
    200,
  );
};

export const endSessionHandler: RouteHandler<typeof endSession, AppEnv> = async (c) => {
  const principal = caller(c);
  const ended = await revokeSessions(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c) },
    { userId: principal.userId, sessionId: c.req.valid("param").id },
    "ended_by_user",
  );
  if (ended === 0) throw notFound("session");
  return c.body(null, 204);
};

export const endOtherSessionsHandler: RouteHandler<typeof endOtherSessions, AppEnv> = async (c) => {
  const principal = caller(c);
  const ended = await revokeSessions(
    { db: getDb(c.env.DB), kv: c.env.SESSIONS, now: c.var.clock(), audit: auditContext(c) },
    { userId: principal.userId, exceptSessionId: principal.sessionId ?? undefined },
    "ended_by_user",
  );
  return c.json({ ended }, 200);
};

function publicApiKey(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    hint: key.hint,
    scopes: key.scopes,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

export const createApiKeyHandler: RouteHandler<typeof createApiKey, AppEnv> = async (c) => {
  const principal = caller(c);
  const body = c.req.valid("json");
  const allowed = grantableScopes(principal);
  const refused = body.scopes.filter((s) => !allowed.includes(s));
  if (refused.length > 0) {
    throw new ApiError(403, "scope_not_grantable", `You can't grant: ${refused.join(", ")}.`);
  }
  const now = c.var.clock();
  const { key, secret } = await apiKeyService.createApiKey(
    getDb(c.env.DB),
    {
      userId: principal.userId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expiresInDays ? isoAfter(now, body.expiresInDays * 86_400) : null,
    },
    now,
    auditContext(c),
  );
  return c.json({ apiKey: publicApiKey(key), secret }, 201);
};

export const listApiKeysHandler: RouteHandler<typeof listApiKeys, AppEnv> = async (c) => {
  const rows = await apiKeyService.listApiKeys(getDb(c.env.DB), caller(c).userId);
  return c.json({ items: rows.map(publicApiKey) }, 200);
};

export const revokeApiKeyHandler: RouteHandler<typeof revokeApiKey, AppEnv> = async (c) => {
  const revoked = await apiKeyService.revokeApiKey(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    c.var.clock(),
    auditContext(c),
  );
  if (!revoked) throw notFound("API key");
  return c.body(null, 204);
};
