import { eq, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { users } from "../db/schema";
import { mailEvent } from "../email/outbox";
import { ApiError } from "../errors";
import { normalizeEmail } from "./accounts";
import { revokeAllApiKeys } from "./api-keys";
import { consumeTokenStatement, findLiveToken, newToken } from "./email-tokens";
import { hashPassword } from "./password";
import { passwordProblem } from "./password-policy";
import { forgetCookieSessions, revokeSessionsStatement } from "./sessions";
import { invalidToken } from "./verification";

/**
 * Starts a reset. The same statements run whether or not the email has an (enabled) account — the
 * token row and its mail event are inserted by SQL that finds the account itself — so the answer and
 * its cost say nothing about the address. Returns the mail event id (dispatched either way).
 */
export async function requestPasswordReset(
  db: Db,
  emailInput: string,
  secret: string,
  now: Date,
): Promise<string> {
  const email = normalizeEmail(emailInput);
  const nowIso = now.toISOString();
  const token = await newToken(secret, "password_reset", now);
  const mail = mailEvent(db, "account.password_reset", { email, tokenId: token.id }, nowIso, {
    when: sql`EXISTS (SELECT 1 FROM user_tokens WHERE id = ${token.id})`,
  });
  await db.batch([
    rawInBatch(
      db,
      sql`INSERT INTO user_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
        SELECT ${token.id}, id, 'password_reset', ${token.tokenHash}, ${nowIso}, ${token.expiresAt}
        FROM users WHERE email = ${email} AND disabled_at IS NULL`,
    ),
    mail.statement,
  ]);
  return mail.id;
}

/**
 * Sets a new password with a reset token. In one batch: the token is used up, the password and
 * "email verified" (the link proved it) are set, every other reset token dies, every session and
 * refresh family and every API key ends, and the "password changed" mail and audit row are written. Returns the mail
 * event id. A token used twice — even by two requests at once — works once.
 */
export async function confirmPasswordReset(
  deps: { db: Db; kv: KVNamespace; now: Date },
  presented: string,
  password: string,
): Promise<string> {
  const { db, now } = deps;
  const token = await findLiveToken(db, "password_reset", presented, now);
  if (!token) throw invalidToken();
  const user = await db.select({ email: users.email }).from(users).where(eq(users.id, token.userId)).get();
  if (!user) throw invalidToken();
  const problem = passwordProblem(password, user.email);
  if (problem) {
    throw new ApiError(422, "weak_password", problem, {
      errors: [{ path: "password", message: problem, code: "weak_password" }],
    });
  }
  const nowIso = now.toISOString();
  const passwordHash = await hashPassword(password);
  const usedByUs = sql`EXISTS (SELECT 1 FROM user_tokens WHERE id = ${token.id} AND used_at = ${nowIso})`;
  // Ids derived from the token: even two requests in the same millisecond write one mail, one audit row.
  const mail = mailEvent(db, "account.password_changed", { userId: token.userId, at: nowIso }, nowIso, {
    id: `evt_reset_${token.id}`,
    when: usedByUs,
  });
  const [consumed, , , , ended] = await db.batch([
    consumeTokenStatement(db, token.id, now),
    rawInBatch(
      db,
      sql`UPDATE users SET password_hash = ${passwordHash}, email_verified_at = coalesce(email_verified_at, ${nowIso}),
          updated_at = ${nowIso}
        WHERE id = ${token.userId} AND changes() = 1`,
    ),
    rawInBatch(
      db,
      sql`UPDATE user_tokens SET used_at = ${nowIso}
        WHERE user_id = ${token.userId} AND purpose = 'password_reset' AND used_at IS NULL AND ${usedByUs}`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO audit_log (id, actor_id, action, target_type, target_id, created_at)
        SELECT ${`aud_reset_${token.id}`}, ${token.userId}, 'user.password_reset', 'user', ${token.userId}, ${nowIso}
        WHERE ${usedByUs} ON CONFLICT (id) DO NOTHING`,
    ),
    revokeSessionsStatement(db, { userId: token.userId }, "password_reset", nowIso, usedByUs),
    mail.statement,
    // As with a password change (src/auth/accounts.ts): keys made under the old password stop working.
    revokeAllApiKeys(db, token.userId, nowIso),
  ]);
  if (consumed.meta.changes !== 1) throw invalidToken();
  await forgetCookieSessions(deps.kv, ended);
  return mail.id;
}
