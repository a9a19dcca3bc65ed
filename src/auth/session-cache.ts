/**
 * What this isolate last read about an access token's session and its user, and about an API key
 * and its user (ADR 0013). For up to SESSION_CACHE_SECONDS a token of that session, or that key, is
 * admitted without reading D1 again — the read every signed-in request used to make (two for a key).
 * Revocations and account changes made through this isolate forget the user's entries at once
 * (`forgetUser`, `forgetApiKey`); one made through another isolate takes effect here once the entry
 * is older than the bound. 0 turns the cache off.
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

/** An API key as authentication needs it, with its user. */
export interface KeyHolder {
  keyId: string;
  scopes: readonly string[];
  /** The key's own expiry (ISO), checked on every use. */
  keyExpiresAt: string | null;
  user: SessionUser;
}

interface KeyEntry {
  holder: KeyHolder;
  expiresMs: number;
}

const entries = new Map<string, Entry>();
/** By the SHA-256 of the presented key, so no secret is kept. */
const keyEntries = new Map<string, KeyEntry>();
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

/** Whether what a reader holding `readAt` read may be remembered: none of `ids` was forgotten since. */
function readIsCurrent(readAt: number, ids: string[]): boolean {
  return readAt > clearedAt && ids.every((id) => (forgottenAt.get(id) ?? 0) < readAt);
}

/** Remembers what a reader holding `readAt` (a `readTicket`) read, unless the user was forgotten since. */
export function rememberSessionUser(
  sessionId: string,
  user: SessionUser,
  seconds: number,
  nowMs: number,
  readAt: number,
) {
  if (seconds <= 0 || !readIsCurrent(readAt, [user.id])) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(sessionId, { user, expiresMs: nowMs + seconds * 1000 });
}

export function cachedApiKey(digest: string, nowMs: number): KeyHolder | null {
  const entry = keyEntries.get(digest);
  if (!entry) return null;
  const { keyExpiresAt } = entry.holder;
  if (entry.expiresMs <= nowMs || (keyExpiresAt !== null && Date.parse(keyExpiresAt) <= nowMs)) {
    keyEntries.delete(digest);
    return null;
  }
  return entry.holder;
}

/** Remembers a key read by a reader holding `readAt`, unless the key or its user was forgotten since. */
export function rememberApiKey(
  digest: string,
  holder: KeyHolder,
  seconds: number,
  nowMs: number,
  readAt: number,
) {
  if (seconds <= 0 || !readIsCurrent(readAt, [holder.user.id, holder.keyId])) return;
  if (keyEntries.size >= MAX_ENTRIES) keyEntries.clear();
  keyEntries.set(digest, { holder, expiresMs: nowMs + seconds * 1000 });
}

function markForgotten(id: string) {
  if (forgottenAt.size >= MAX_ENTRIES) {
    forgottenAt.clear();
    clearedAt = ticket;
  }
  forgottenAt.set(id, ++ticket);
}

/**
 * After this isolate revoked a user's sessions or keys, or changed their account (role, disabled,
 * email verified, password).
 */
export function forgetUser(userId: string) {
  markForgotten(userId);
  for (const [sessionId, entry] of entries) if (entry.user.id === userId) entries.delete(sessionId);
  for (const [digest, entry] of keyEntries) if (entry.holder.user.id === userId) keyEntries.delete(digest);
}

/** After this isolate revoked one API key. */
export function forgetApiKey(keyId: string) {
  markForgotten(keyId);
  for (const [digest, entry] of keyEntries) if (entry.holder.keyId === keyId) keyEntries.delete(digest);
}
