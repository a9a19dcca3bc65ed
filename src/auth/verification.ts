import { eq, sql } from "drizzle-orm";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { users } from "../db/schema";
import { mailEvent } from "../email/outbox";
import { ApiError, notFound } from "../errors";
import { consumeTokenStatement, findLiveToken, newToken } from "./email-tokens";
import { forgetUser } from "./session-cache";

/** Batch-abort reason: another request used (or the clock expired) the token first. */
export const TOKEN_TAKEN = "token-already-used";

export const invalidToken = () =>
  new ApiError(
    400,
    "invalid_token",
    "This link is invalid, was already used, or has expired. Ask for a new one.",
  );

/** Uses up a verify-email token and marks the address verified. A second use is refused. */
export async function verifyEmail(db: Db, presented: string, now: Date): Promise<{ userId: string }> {
  const token = await findLiveToken(db, "verify_email", presented, now);
  if (!token) throw invalidToken();
  const nowIso = now.toISOString();
  try {
    await db.batch([
      consumeTokenStatement(db, token.id, now),
      // Only the request whose update used the token goes on.
      abortUnless(db, TOKEN_TAKEN, previousChangedOneRow),
      rawInBatch(
        db,
        sql`UPDATE users SET email_verified_at = coalesce(email_verified_at, ${nowIso}), updated_at = ${nowIso}
          WHERE id = ${token.userId}`,
      ),
    ]);
  } catch (error) {
    if (isBatchAbort(error, TOKEN_TAKEN)) throw invalidToken();
    throw error;
  }
  // Signed-in requests through this isolate see the verified address at once (ADR 0013).
  forgetUser(token.userId);
  return { userId: token.userId };
}

/** A fresh verify link for a signed-in, still unverified account; returns the mail event's id. */
export async function resendVerification(db: Db, userId: string, secret: string, now: Date): Promise<string> {
  const user = await db
    .select({ verifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!user) throw notFound("user");
  if (user.verifiedAt) throw new ApiError(409, "already_verified", "Your email address is already verified.");
  const nowIso = now.toISOString();
  const token = await newToken(secret, "verify_email", now);
  const mail = mailEvent(db, "account.verify_email", { userId, tokenId: token.id }, nowIso);
  await db.batch([
    rawInBatch(
      db,
      sql`INSERT INTO user_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
        VALUES (${token.id}, ${userId}, 'verify_email', ${token.tokenHash}, ${nowIso}, ${token.expiresAt})`,
    ),
    mail.statement,
  ]);
  return mail.id;
}
