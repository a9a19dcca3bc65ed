import { eq, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { users } from "../db/schema";
import { mailEvent } from "../email/outbox";
import { ApiError } from "../errors";
import { normalizeEmail } from "./accounts";
import { revokeAllApiKeys } from "./api-keys";
import { consumeTokenStatement, findLiveToken, newToken } from "./email-tokens";
import { hashPassword } from "./password";
import { passwordProblem } from "./password-policy";
import { forgetEndedSessions, revokeSessionsStatement } from "./sessions";
import { invalidToken, TOKEN_TAKEN } from "./verification";

/**
 * Starts a reset. The same statements write the same rows whether or not the email has an (enabled)
 * account — a token row whose owner the SQL finds itself (NULL when there is none) and a mail event
 * naming only the token — so neither the answer nor its cost (a write costs more than none) says
 * anything about the address. The mail composer sends only for a token with an owner. Returns the
 * mail event id.
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
  const mail = mailEvent(db, "account.password_reset", { tokenId: token.id }, nowIso);
  await db.batch([
    rawInBatch(
      db,
      sql`INSERT INTO user_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
        VALUES (${token.id}, (SELECT id FROM users WHERE email = ${email} AND disabled_at IS NULL),
          'password_reset', ${token.tokenHash}, ${nowIso}, ${token.expiresAt})`,
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
  deps: { db: Db; kv: KVNamespace; now: Date; audit: AuditContext },
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
  const mail = mailEvent(db, "account.password_changed", { userId: token.userId, at: nowIso }, nowIso);
  let ended: { cookieTokenHash: string }[];
  try {
    [, , , , ended] = await db.batch([
      consumeTokenStatement(db, token.id, now),
      // Everything after runs only for the one request whose update used the token.
      abortUnless(db, TOKEN_TAKEN, previousChangedOneRow),
      rawInBatch(
        db,
        sql`UPDATE users SET password_hash = ${passwordHash}, email_verified_at = coalesce(email_verified_at, ${nowIso}),
            updated_at = ${nowIso}
          WHERE id = ${token.userId}`,
      ),
      rawInBatch(
        db,
        sql`UPDATE user_tokens SET used_at = ${nowIso}
          WHERE user_id = ${token.userId} AND purpose = 'password_reset' AND used_at IS NULL`,
      ),
      revokeSessionsStatement(db, { userId: token.userId }, "password_reset", nowIso),
      // As with a password change (src/auth/accounts.ts): keys made under the old password stop working.
      revokeAllApiKeys(db, token.userId, nowIso),
      // The token proves who acts: the account's owner.
      auditStatement(
        db,
        { ...deps.audit, actorId: token.userId },
        {
          action: "user.password_reset",
          subjectId: token.userId,
          targetType: "user",
          targetId: token.userId,
        },
        nowIso,
      ),
      mail.statement,
    ]);
  } catch (error) {
    if (isBatchAbort(error, TOKEN_TAKEN)) throw invalidToken();
    throw error;
  }
  await forgetEndedSessions(deps.kv, token.userId, ended);
  return mail.id;
}
