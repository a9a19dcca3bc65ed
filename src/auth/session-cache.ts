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

export function cachedSessionUser(sessionId: string, userId: string, nowMs: number): SessionUser | null {
  const entry = entries.get(sessionId);
  if (!entry) return null;
  if (entry.expiresMs <= nowMs || entry.user.id !== userId) {
    entries.delete(sessionId);
    return null;
  }
  return entry.user;
}

export function rememberSessionUser(sessionId: string, user: SessionUser, seconds: number, nowMs: number) {
  if (seconds <= 0) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(sessionId, { user, expiresMs: nowMs + seconds * 1000 });
}

/** After this isolate revoked a user's sessions or changed their account (role, disabled, email verified). */
export function forgetUser(userId: string) {
  for (const [sessionId, entry] of entries) if (entry.user.id === userId) entries.delete(sessionId);
}
