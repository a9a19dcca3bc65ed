import { and, eq, gt, isNull, ne, type SQL, sql } from "drizzle-orm";
import { type AuditContext, type AuditEvent, auditStatement } from "../audit/record";
import type { AppConfig } from "../config";
import { type Db, preparedOnce, rawInBatch } from "../db/client";
import { refreshTokens, sessions, users } from "../db/schema";
import { isoAfter } from "../lib/clock";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { forgetUser } from "./session-cache";

export interface SessionDeps {
  db: Db;
  kv: KVNamespace;
  config: AppConfig;
  now: Date;
}

/** What KV holds under `sess:<sha256(cookie token)>`; its TTL is the idle timeout. */
interface CookieSessionRecord {
  sessionId: string;
  userId: string;
  absoluteExpiresAt: string;
  refreshedAt: string;
}

const kvKey = (tokenHash: string) => `sess:${tokenHash}`;
/** KV allows one write per key per second and TTLs of at least 60 s; sliding the idle window once a minute is plenty. */
const IDLE_REFRESH_MS = 60_000;

export interface NewSession {
  sessionId: string;
  cookieToken: string;
  refreshToken: string;
}

/** Starts a session: a row in D1 (the source of truth), its first refresh token, and the cookie token in KV. */
export async function createSession(
  deps: SessionDeps,
  input: { userId: string; userAgent: string | null; ip: string | null },
  /** The audit row this session's start makes (a sign-in), in the same batch; null for none. */
  audit: { context: AuditContext; event: AuditEvent } | null = null,
): Promise<NewSession> {
  const { db, kv, config, now } = deps;
  const sessionId = newId("ses");
  const cookieToken = randomToken(32);
  const refreshToken = `rt_${randomToken(32)}`;
  const cookieTokenHash = await sha256Hex(cookieToken);
  const nowIso = now.toISOString();
  const absoluteExpiresAt = isoAfter(now, config.sessionAbsolute);
  await db.batch([
    db.insert(sessions).values({
      id: sessionId,
      userId: input.userId,
      cookieTokenHash,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
      ip: input.ip,
      createdAt: nowIso,
      lastSeenAt: nowIso,
      absoluteExpiresAt,
    }),
    db.insert(refreshTokens).values({
      id: newId("rtk"),
      sessionId,
      tokenHash: await sha256Hex(refreshToken),
      createdAt: nowIso,
      expiresAt: refreshExpiry(now, absoluteExpiresAt, config),
    }),
    ...(audit
      ? [
          auditStatement(
            db,
            audit.context,
            { ...audit.event, targetType: "session", targetId: sessionId },
            nowIso,
          ),
        ]
      : []),
  ]);
  const record: CookieSessionRecord = {
    sessionId,
    userId: input.userId,
    absoluteExpiresAt,
    refreshedAt: nowIso,
  };
  await kv.put(kvKey(cookieTokenHash), JSON.stringify(record), { expirationTtl: config.sessionIdle });
  return { sessionId, cookieToken, refreshToken };
}

function refreshExpiry(now: Date, absoluteExpiresAt: string, config: AppConfig): string {
  const byTtl = isoAfter(now, config.refreshTokenTtl);
  return byTtl < absoluteExpiresAt ? byTtl : absoluteExpiresAt;
}

/**
 * Looks up a browser session by its cookie token. Sliding idle expiry is KV's TTL; the absolute
 * limit is checked here. Logout and revocation delete the KV entry, so a revoked token is gone at once.
 */
export async function resolveCookieSession(
  deps: SessionDeps,
  cookieToken: string,
): Promise<{ sessionId: string; userId: string } | null> {
  const key = kvKey(await sha256Hex(cookieToken));
  const record = await deps.kv.get<CookieSessionRecord>(key, "json");
  if (!record) return null;
  if (record.absoluteExpiresAt <= deps.now.toISOString()) {
    await deps.kv.delete(key);
    return null;
  }
  if (deps.now.getTime() - Date.parse(record.refreshedAt) > IDLE_REFRESH_MS) {
    const refreshed: CookieSessionRecord = { ...record, refreshedAt: deps.now.toISOString() };
    await Promise.all([
      deps.kv.put(key, JSON.stringify(refreshed), { expirationTtl: deps.config.sessionIdle }),
      deps.db
        .update(sessions)
        .set({ lastSeenAt: refreshed.refreshedAt })
        .where(eq(sessions.id, record.sessionId)),
    ]);
  }
  return { sessionId: record.sessionId, userId: record.userId };
}

/**
 * The user behind an access token when both its session (token family) and the account are live:
 * one read for what used to be two (session live, user active), since every authenticated request
 * pays for it.
 */
export async function findLiveSessionUser(
  deps: Pick<SessionDeps, "db" | "now">,
  sessionId: string,
  userId: string,
) {
  return preparedOnce(deps.db, "findLiveSessionUser", (db) =>
    db
      .select({ id: users.id, email: users.email, role: users.role, emailVerifiedAt: users.emailVerifiedAt })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.id, sql.placeholder("sessionId")),
          eq(sessions.userId, sql.placeholder("userId")),
          isNull(sessions.revokedAt),
          gt(sessions.absoluteExpiresAt, sql.placeholder("now")),
          isNull(users.disabledAt),
        ),
      )
      .prepare(),
  ).get({ sessionId, userId, now: deps.now.toISOString() });
}

export type RefreshOutcome =
  | { kind: "rotated"; sessionId: string; userId: string; refreshToken: string }
  | { kind: "invalid" }
  | { kind: "reused"; sessionId: string; userId: string };

/**
 * Swaps a refresh token for a new one. A token that was already used means it leaked (or a client
 * raced itself): the whole family is revoked, per OAuth 2.0 Security BCP §4.14.
 */
export async function rotateRefreshToken(
  deps: SessionDeps & { audit: AuditContext },
  presented: string,
): Promise<RefreshOutcome> {
  const { db, now, config } = deps;
  const nowIso = now.toISOString();
  const row = await db
    .select({
      id: refreshTokens.id,
      usedAt: refreshTokens.usedAt,
      expiresAt: refreshTokens.expiresAt,
      sessionId: sessions.id,
      revokedAt: sessions.revokedAt,
      absoluteExpiresAt: sessions.absoluteExpiresAt,
      userId: users.id,
      disabledAt: users.disabledAt,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, await sha256Hex(presented)))
    .get();
  if (!row) return { kind: "invalid" };
  if (row.revokedAt || row.disabledAt || row.expiresAt <= nowIso || row.absoluteExpiresAt <= nowIso) {
    return { kind: "invalid" };
  }
  if (row.usedAt) {
    await revokeSessions(deps, { userId: row.userId, sessionId: row.sessionId }, "refresh_token_reused");
    return { kind: "reused", sessionId: row.sessionId, userId: row.userId };
  }

  const next = `rt_${randomToken(32)}`;
  // The insert only happens if this request's update won the token (changes() = 1): two racing
  // refreshes can't both rotate, and the loser is treated as reuse.
  const [, inserted] = await db.batch([
    db
      .update(refreshTokens)
      .set({ usedAt: nowIso })
      .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt))),
    rawInBatch(
      db,
      sql`INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
      SELECT ${newId("rtk")}, ${row.sessionId}, ${await sha256Hex(next)}, ${nowIso},
             ${refreshExpiry(now, row.absoluteExpiresAt, config)}
      WHERE changes() = 1`,
    ),
  ]);
  if (inserted.meta.changes !== 1) {
    await revokeSessions(deps, { userId: row.userId, sessionId: row.sessionId }, "refresh_token_reused");
    return { kind: "reused", sessionId: row.sessionId, userId: row.userId };
  }
  return { kind: "rotated", sessionId: row.sessionId, userId: row.userId, refreshToken: next };
}

/**
 * The statement that marks sessions revoked, for a caller's own batch: all of a user's live ones,
 * just `sessionId`, or all but `exceptSessionId`; `when` makes it conditional. It returns the cookie
 * token hashes, which the caller hands to `forgetEndedSessions` once the batch is through.
 */
export function revokeSessionsStatement(
  db: Db,
  target: { userId: string; sessionId?: string; exceptSessionId?: string },
  reason: string,
  nowIso: string,
  when?: SQL,
) {
  const conditions = [eq(sessions.userId, target.userId), isNull(sessions.revokedAt)];
  if (target.sessionId) conditions.push(eq(sessions.id, target.sessionId));
  if (target.exceptSessionId) conditions.push(ne(sessions.id, target.exceptSessionId));
  if (when) conditions.push(when);
  return db
    .update(sessions)
    .set({ revokedAt: nowIso, revokedReason: reason })
    .where(and(...conditions))
    .returning({ cookieTokenHash: sessions.cookieTokenHash });
}

/**
 * After a user's sessions were revoked: this isolate forgets what it cached of them (ADR 0013), and
 * their cookie entries leave KV, so their access tokens and cookies stop working here at once.
 */
export async function forgetEndedSessions(
  kv: KVNamespace,
  userId: string,
  ended: { cookieTokenHash: string }[],
): Promise<void> {
  forgetUser(userId);
  await Promise.all(ended.map((s) => kv.delete(kvKey(s.cookieTokenHash))));
}

/**
 * The audit row for a revocation, for the same batch right after `revokeSessionsStatement`: written
 * only when that update ended a session (`changes()`).
 */
export function revocationAudit(
  db: Db,
  audit: AuditContext,
  target: { userId: string; sessionId?: string; exceptSessionId?: string },
  reason: string,
  nowIso: string,
) {
  return auditStatement(
    db,
    audit,
    {
      action: "session.revoked",
      subjectId: target.userId,
      targetType: "session",
      targetId: target.sessionId ?? null,
      detail: { reason, ...(target.exceptSessionId ? { exceptSessionId: target.exceptSessionId } : {}) },
    },
    nowIso,
    sql`changes() > 0`,
  );
}

/**
 * Ends sessions for real: marks the rows revoked and deletes their cookie entries from KV.
 * With `sessionId` only that one (if it is the user's); with `exceptSessionId` all others.
 * Returns how many sessions were ended.
 */
export async function revokeSessions(
  deps: Pick<SessionDeps, "db" | "kv" | "now"> & { audit: AuditContext },
  target: { userId: string; sessionId?: string; exceptSessionId?: string },
  reason: string,
): Promise<number> {
  const nowIso = deps.now.toISOString();
  const [ended] = await deps.db.batch([
    revokeSessionsStatement(deps.db, target, reason, nowIso),
    // One row for the revocation, only when it ended a session (`changes()` of the update).
    revocationAudit(deps.db, deps.audit, target, reason, nowIso),
  ]);
  await forgetEndedSessions(deps.kv, target.userId, ended);
  return ended.length;
}
