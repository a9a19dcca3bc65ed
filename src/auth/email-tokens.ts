import { and, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { userTokens } from "../db/security-schema";
import { isoAfter } from "../lib/clock";
import { hmacBase64url, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";

/**
 * Single-use tokens sent by email. A token is `<id>.<HMAC(AUTH_SECRET, purpose:id)>`: D1 keeps only
 * its SHA-256, and the outbox event that mails it carries only the id — the mail consumer derives
 * the token again with the secret, so nothing at rest is enough to use a link.
 */
export type TokenPurpose = "verify_email" | "password_reset";

/** Verify links live a day; reset links half an hour (the issue's numbers). */
export const TOKEN_TTL_SECONDS: Record<TokenPurpose, number> = {
  verify_email: 24 * 3600,
  password_reset: 30 * 60,
};

export async function tokenFor(secret: string, purpose: TokenPurpose, tokenId: string): Promise<string> {
  return `${tokenId}.${await hmacBase64url(secret, `${purpose}:${tokenId}`)}`;
}

/** A new token's id and stored hash, for the caller's batch (the row insert may be conditional). */
export async function newToken(secret: string, purpose: TokenPurpose, now: Date) {
  const id = newId("tok");
  const tokenHash = await sha256Hex(await tokenFor(secret, purpose, id));
  return {
    id,
    tokenHash,
    createdAt: now.toISOString(),
    expiresAt: isoAfter(now, TOKEN_TTL_SECONDS[purpose]),
  };
}

/**
 * The unused, unexpired token row of an account that a presented token names, or undefined. Does not
 * consume it. Rows that name no account (a reset asked for an unknown address) never match.
 */
export async function findLiveToken(db: Db, purpose: TokenPurpose, presented: string, now: Date) {
  const row = await db
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.tokenHash, await sha256Hex(presented)),
        eq(userTokens.purpose, purpose),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now.toISOString()),
        isNotNull(userTokens.userId),
      ),
    )
    .get();
  return row?.userId ? { ...row, userId: row.userId } : undefined;
}

/** The conditional update that uses a token up: exactly one caller sees `changes = 1`. */
export function consumeTokenStatement(db: Db, tokenId: string, now: Date) {
  return db
    .update(userTokens)
    .set({ usedAt: now.toISOString() })
    .where(
      and(eq(userTokens.id, tokenId), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now.toISOString())),
    );
}
