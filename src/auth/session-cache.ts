/**
 * What this isolate last read about an access token's session and its user (ADR 0013). For up to
 * SESSION_CACHE_SECONDS a token of that session is admitted without reading D1 again — the read
 * every signed-in request used to make. Revocations and account changes made through this isolate
 * forget the user's entries at once (`forgetUser`); one made through another isolate takes effect
 * here once the entry is older than the bound. 0 turns the cache off.
 */
export interface SessionUser {
  id: string;
  email: string;
  role: "user" | "admin";
  emailVerifiedAt: string | null;
}

interface Entry {
  user: SessionUser;
  expiresMs: number;
}

const entries = new Map<string, Entry>();
const MAX_ENTRIES = 10_000;

/**
 * A read of a session from D1 races with changes made meanwhile: a request that read the user just
 * before an email verification committed, and remembered it just after `forgetUser` ran, would cache
 * the old state for the whole bound (the web app's "verify your email" banner stayed up). So a
 * reader takes a ticket before it reads (`readTicket`), and what it read is remembered only if the
 * user was not forgotten since.
 */
let ticket = 0;
const forgottenAt = new Map<string, number>();
/** Tickets up to this one predate a forget that `forgottenAt` no longer records (it was cleared). */
let clearedAt = 0;

export function readTicket(): number {
  return ++ticket;
}

export function cachedSessionUser(sessionId: string, userId: string, nowMs: number): SessionUser | null {
  const entry = entries.get(sessionId);
  if (!entry) return null;
  if (entry.expiresMs <= nowMs || entry.user.id !== userId) {
    entries.delete(sessionId);
    return null;
  }
  return entry.user;
}

/** Remembers what a reader holding `readAt` (a `readTicket`) read, unless the user was forgotten since. */
export function rememberSessionUser(
  sessionId: string,
  user: SessionUser,
  seconds: number,
  nowMs: number,
  readAt: number,
) {
  if (seconds <= 0 || readAt <= clearedAt || (forgottenAt.get(user.id) ?? 0) >= readAt) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(sessionId, { user, expiresMs: nowMs + seconds * 1000 });
}

/** After this isolate revoked a user's sessions or changed their account (role, disabled, email verified). */
export function forgetUser(userId: string) {
  if (forgottenAt.size >= MAX_ENTRIES) {
    forgottenAt.clear();
    clearedAt = ticket;
  }
  forgottenAt.set(userId, ++ticket);
  for (const [sessionId, entry] of entries) if (entry.user.id === userId) entries.delete(sessionId);
}
