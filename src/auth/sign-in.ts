import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { User } from "../db/schema";
import { mailEvent } from "../email/outbox";
import { ApiError } from "../errors";
import { authenticate } from "./accounts";
import { checkSecondFactor, otpInvalid } from "./two-factor";

/**
 * Password, then (when the account has 2FA on) the second factor: no `otp` → 401 `otp_required`,
 * a wrong or replayed one → 401 `otp_invalid`. `beforeOtpCheck` spends the per-account code limit,
 * so only attempts that actually test a code count against it.
 */
export async function checkCredentials(
  db: Db,
  input: { email: string; password: string; otp?: string },
  options: { authSecret: string; now: Date; beforeOtpCheck: (userId: string) => Promise<void> },
): Promise<User> {
  const user = await authenticate(db, input.email, input.password, options.now);
  if (!user.totpEnabledAt) return user;
  if (!input.otp) {
    throw new ApiError(
      401,
      "otp_required",
      "Enter the code from your authenticator app (or a recovery code).",
    );
  }
  await options.beforeOtpCheck(user.id);
  if (!(await checkSecondFactor(db, user, input.otp.trim(), options.authSecret, options.now)))
    throw otpInvalid();
  return user;
}

/**
 * The "new sign-in" mail, when this device (IP + user agent) has not signed in to the account in
 * the last 30 days — and not for an account's very first session. Returns the event id.
 */
export async function newSignInNotice(
  db: Db,
  session: { userId: string; sessionId: string; ip: string | null; userAgent: string | null },
  now: Date,
): Promise<string> {
  const nowIso = now.toISOString();
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  const others = sql`FROM sessions WHERE user_id = ${session.userId} AND id <> ${session.sessionId}`;
  const mail = mailEvent(
    db,
    "account.new_sign_in",
    { userId: session.userId, at: nowIso, ip: session.ip, userAgent: session.userAgent },
    nowIso,
    {
      when: sql`EXISTS (SELECT 1 ${others})
        AND NOT EXISTS (SELECT 1 ${others} AND ip IS ${session.ip} AND user_agent IS ${session.userAgent?.slice(0, 300) ?? null}
          AND created_at > ${monthAgo})`,
    },
  );
  await mail.statement;
  return mail.id;
}
