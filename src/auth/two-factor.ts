import { and, eq, isNull, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { type AuditContext, auditStatement } from "../audit/record";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { recoveryCodes } from "../db/security-schema";
import { mailEvent } from "../email/outbox";
import { ApiError, notFound } from "../errors";
import { hmacBase64url, seal, unseal } from "../lib/crypto";
import { newId } from "../lib/ids";
import { verifyPassword } from "./password";

/**
 * Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30 s — what every authenticator app
 * reads from an otpauth:// URL), by the `otpauth` library. Secrets are sealed at rest with a key
 * derived from AUTH_SECRET; recovery codes are stored as HMACs under it.
 */
const ISSUER = "Edgecraft";
const SEAL_PURPOSE = "totp-secret";
const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function totpFor(secret: Secret, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, secret, algorithm: "SHA1", digits: 6, period: 30 });
}

export const otpInvalid = (status: 401 | 422 = 401) =>
  new ApiError(status, "otp_invalid", "The code is wrong, expired or was already used.", {
    errors:
      status === 422
        ? [{ path: "code", message: "The code is wrong, expired or was already used.", code: "otp_invalid" }]
        : undefined,
  });

/** Starts setup: a new secret waits (sealed) until `enableTwoFactor` sees a code made from it. */
export async function setupTwoFactor(db: Db, userId: string, authSecret: string, now: Date) {
  const user = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw notFound("user");
  if (user.totpEnabledAt)
    throw new ApiError(409, "two_factor_enabled", "Two-factor sign-in is already on. Turn it off first.");
  const secret = new Secret({ size: 20 });
  await db
    .update(users)
    .set({
      totpPendingSecret: await seal(authSecret, SEAL_PURPOSE, secret.base32),
      updatedAt: now.toISOString(),
    })
    .where(eq(users.id, userId));
  return { secret: secret.base32, otpauthUrl: totpFor(secret, user.email).toString() };
}

/** The time step a code belongs to, or null if it matches none within ±1 step of `now`. */
function matchingStep(base32: string, code: string, now: Date): number | null {
  const totp = totpFor(Secret.fromBase32(base32), "x");
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

const isTotpCode = (code: string) => /^\d{6}$/.test(code);
const normalizeRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "");
const recoveryHash = (authSecret: string, userId: string, code: string) =>
  hmacBase64url(authSecret, `recovery:${userId}:${normalizeRecovery(code)}`);

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * Turns 2FA on with a code from the pending secret. The code's step becomes the last one used (it
 * cannot sign in afterwards), ten recovery codes replace any old ones, and the "2FA enabled" mail
 * and audit row are written — one batch, guarded so a concurrent enable can't half-apply.
 */
export async function enableTwoFactor(
  db: Db,
  userId: string,
  code: string,
  authSecret: string,
  now: Date,
  audit: AuditContext,
) {
  const user = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw notFound("user");
  if (user.totpEnabledAt) throw new ApiError(409, "two_factor_enabled", "Two-factor sign-in is already on.");
  if (!user.totpPendingSecret) throw new ApiError(409, "setup_required", "Start two-factor setup first.");
  const base32 = await unseal(authSecret, SEAL_PURPOSE, user.totpPendingSecret);
  const step = isTotpCode(code) ? matchingStep(base32, code, now) : null;
  if (step === null) throw otpInvalid(422);

  const nowIso = now.toISOString();
  const codes = newRecoveryCodes();
  const hashes = await Promise.all(codes.map((c) => recoveryHash(authSecret, userId, c)));
  const mail = mailEvent(db, "account.2fa_enabled", { userId, at: nowIso }, nowIso);
  try {
    await db.batch([
      db
        .update(users)
        .set({
          totpSecret: user.totpPendingSecret,
          totpPendingSecret: null,
          totpEnabledAt: nowIso,
          totpLastStep: step,
          updatedAt: nowIso,
        })
        .where(
          and(
            eq(users.id, userId),
            isNull(users.totpEnabledAt),
            eq(users.totpPendingSecret, user.totpPendingSecret),
          ),
        ),
      // A concurrent enable (or a new setup) got there first: nothing of this one applies.
      abortUnless(db, TWO_FACTOR_CHANGED, previousChangedOneRow),
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
      db
        .insert(recoveryCodes)
        .values(hashes.map((codeHash) => ({ id: newId("rc"), userId, codeHash, createdAt: nowIso }))),
      auditStatement(db, audit, ownAccountEvent(userId, "user.2fa_enabled"), nowIso),
      mail.statement,
    ]);
  } catch (error) {
    if (isBatchAbort(error, TWO_FACTOR_CHANGED)) throw twoFactorChanged();
    throw error;
  }
  return { recoveryCodes: codes, mailEvent: mail.id };
}

const ownAccountEvent = (userId: string, action: string) => ({
  action,
  subjectId: userId,
  targetType: "user",
  targetId: userId,
});

/** Batch-abort reason: the account's 2FA state changed between reading and writing it. */
const TWO_FACTOR_CHANGED = "two-factor-changed";
const twoFactorChanged = () =>
  new ApiError(409, "two_factor_changed", "Two-factor sign-in was changed meanwhile; reload and try again.");

/**
 * Checks a second factor for a user with 2FA on: a TOTP code (accepted once: its step must be later
 * than the last accepted one, which a conditional update moves forward) or an unused recovery code
 * (used up by a conditional update). Concurrent uses of one code: exactly one wins.
 */
export async function checkSecondFactor(
  db: Db,
  user: { id: string; totpSecret: string | null },
  code: string,
  authSecret: string,
  now: Date,
): Promise<boolean> {
  if (!user.totpSecret) return false;
  if (isTotpCode(code)) {
    const step = matchingStep(await unseal(authSecret, SEAL_PURPOSE, user.totpSecret), code, now);
    if (step === null) return false;
    const moved = await db
      .update(users)
      .set({ totpLastStep: step })
      .where(
        and(eq(users.id, user.id), sql`(${users.totpLastStep} IS NULL OR ${users.totpLastStep} < ${step})`),
      );
    return moved.meta.changes === 1;
  }
  if (normalizeRecovery(code).length !== 10) return false;
  const used = await db.run(
    sql`UPDATE recovery_codes SET used_at = ${now.toISOString()}
      WHERE user_id = ${user.id} AND code_hash = ${await recoveryHash(authSecret, user.id, code)} AND used_at IS NULL`,
  );
  return used.meta.changes === 1;
}

/** Turns 2FA off after the password and a current code (or a recovery code); mails the owner. */
export async function disableTwoFactor(
  db: Db,
  userId: string,
  input: { password: string; code: string },
  authSecret: string,
  now: Date,
  audit: AuditContext,
) {
  const user = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw notFound("user");
  if (!user.totpEnabledAt) throw new ApiError(409, "two_factor_disabled", "Two-factor sign-in is not on.");
  if (!(await verifyPassword(input.password, user.passwordHash)).ok) {
    throw new ApiError(403, "invalid_credentials", "The password is wrong.");
  }
  if (!(await checkSecondFactor(db, user, input.code, authSecret, now))) throw otpInvalid(422);
  const nowIso = now.toISOString();
  const mail = mailEvent(db, "account.2fa_disabled", { userId, at: nowIso }, nowIso);
  try {
    await db.batch([
      db
        .update(users)
        .set({
          totpSecret: null,
          totpPendingSecret: null,
          totpEnabledAt: null,
          totpLastStep: null,
          updatedAt: nowIso,
        })
        .where(and(eq(users.id, userId), eq(users.totpEnabledAt, user.totpEnabledAt))),
      abortUnless(db, TWO_FACTOR_CHANGED, previousChangedOneRow),
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
      auditStatement(db, audit, ownAccountEvent(userId, "user.2fa_disabled"), nowIso),
      mail.statement,
    ]);
  } catch (error) {
    if (isBatchAbort(error, TWO_FACTOR_CHANGED)) throw twoFactorChanged();
    throw error;
  }
  return { mailEvent: mail.id };
}
