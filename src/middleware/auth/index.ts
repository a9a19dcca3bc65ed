import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Principal } from "../../app-env";
import { findActiveUser } from "../../auth/accounts";
import { looksLikeApiKey, resolveApiKey, touchApiKey, touchDue } from "../../auth/api-keys";
import {
  cachedApiKey,
  cachedSessionUser,
  type KeyHolder,
  readTicket,
  rememberApiKey,
  rememberSessionUser,
} from "../../auth/session-cache";
import { findLiveSessionUser, resolveCookieSession } from "../../auth/sessions";
import { type AccessClaims, verifyAccessToken } from "../../auth/tokens";
import { getConfig } from "../../config";
import { getDb } from "../../db/client";
import { unauthorized } from "../../errors";
import { sha256Hex } from "../../lib/crypto";
import { clientIp, refuseIfKnownEmpty, spendRateLimit } from "../rate-limit";

/**
 * Sent as `__Host-edgecraft_session` (hono adds the prefix): Secure, Path=/, no Domain, so it is
 * pinned to this origin. Browsers treat http://localhost as secure, so it works in dev too.
 */
export const SESSION_COOKIE = "edgecraft_session";

const ALL_SCOPES = ["*"] as const;

/**
 * Works out who is calling and puts it in `c.var.principal` (null when anonymous). A bearer
 * credential that is present but bad is a 401 here; whether a route needs a principal at all is
 * the policy layer's call.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const now = c.var.clock();
  const db = getDb(c.env.DB);
  const authorization = c.req.header("authorization");

  if (authorization !== undefined) {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (!match) return refuse(c, "The Authorization header must be `Bearer <token>`.");
    const token = match[1]!;
    c.set(
      "principal",
      await (looksLikeApiKey(token) ? apiKeyPrincipal(c, token, now) : tokenPrincipal(c, token, now)),
    );
    return next();
  }

  const cookieToken = getCookie(c, SESSION_COOKIE, "host");
  if (cookieToken) {
    const session = await resolveCookieSession(
      { db, kv: c.env.SESSIONS, config: getConfig(c.env), now },
      cookieToken,
    );
    const user = session && (await findActiveUser(db, session.userId));
    if (session && user) c.set("principal", principalFor(user, "session", session.sessionId));
  }
  return next();
});

/**
 * An API key's principal (its user, its scopes): from this isolate's short cache, else two D1 reads;
 * the key's last use is noted after the answer, at most once a minute.
 */
async function apiKeyPrincipal(c: Context<AppEnv>, token: string, now: Date): Promise<Principal> {
  const db = getDb(c.env.DB);
  const digest = await sha256Hex(token);
  const holder = cachedApiKey(digest, now.getTime()) ?? (await readApiKey(c, token, digest, now));
  if (!holder) return refuse(c, "The API key is invalid, expired or revoked.");
  if (touchDue(holder.keyId, now.getTime())) c.executionCtx.waitUntil(touchApiKey(db, holder.keyId, now));
  const { user } = holder;
  return {
    userId: user.id,
    role: user.role,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    via: "api-key",
    sessionId: null,
    apiKeyId: holder.keyId,
    scopes: holder.scopes,
  };
}

async function readApiKey(
  c: Context<AppEnv>,
  token: string,
  digest: string,
  now: Date,
): Promise<KeyHolder | null> {
  const db = getDb(c.env.DB);
  const readAt = readTicket();
  const key = await resolveApiKey(db, token, now);
  const user = key && (await findActiveUser(db, key.userId));
  if (!key || !user) return null;
  const holder: KeyHolder = {
    keyId: key.id,
    scopes: key.scopes,
    keyExpiresAt: key.expiresAt,
    user: { id: user.id, email: user.email, role: user.role, emailVerifiedAt: user.emailVerifiedAt },
  };
  rememberApiKey(digest, holder, getConfig(c.env).sessionCacheSeconds, now.getTime(), readAt);
  return holder;
}

/** An access token's principal: a genuine token of a live session. */
async function tokenPrincipal(c: Context<AppEnv>, token: string, now: Date): Promise<Principal> {
  const claims = await verifyAccessToken(token, getConfig(c.env), c.env.AUTH_SECRET, now);
  // A genuine token of a caller whose bucket is known to be empty: refused before any D1 read.
  if (claims) refuseIfKnownEmpty(c, "api-user", claims.userId);
  const user = claims && (await sessionUser(c, claims, now));
  if (!claims || !user) return refuse(c, "The access token is invalid or expired.");
  return principalFor(user, "access-token", claims.sessionId);
}

/** The live session's user behind an access token: from this isolate's short cache, else one D1 read. */
async function sessionUser(c: Context<AppEnv>, claims: AccessClaims, now: Date) {
  const cached = cachedSessionUser(claims.sessionId, claims.userId, now.getTime());
  if (cached) return cached;
  const readAt = readTicket();
  const user = await findLiveSessionUser({ db: getDb(c.env.DB), now }, claims.sessionId, claims.userId);
  if (user)
    rememberSessionUser(claims.sessionId, user, getConfig(c.env).sessionCacheSeconds, now.getTime(), readAt);
  return user;
}

/**
 * A bad credential costs its sender a token of their anonymous bucket: a client cycling through
 * made-up keys or tokens is answered 429 once it is empty, like any other anonymous flood.
 */
async function refuse(c: Context<AppEnv>, detail: string): Promise<never> {
  await spendRateLimit(c, "anon-ip", clientIp(c));
  throw unauthorized(detail);
}

function principalFor(
  user: { id: string; email: string; role: "user" | "admin"; emailVerifiedAt: string | null },
  via: "session" | "access-token",
  sessionId: string,
): Principal {
  return {
    userId: user.id,
    role: user.role,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    via,
    sessionId,
    apiKeyId: null,
    scopes: ALL_SCOPES,
  };
}
