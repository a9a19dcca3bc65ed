import { errors, jwtVerify, SignJWT } from "jose";
import type { AppConfig } from "../config";
import { newId } from "../lib/ids";

const ALGORITHM = "HS256";
const TOKEN_TYPE = "at+jwt";

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/**
 * The HMAC key, imported once per isolate and secret: given the secret's bytes, jose imports a
 * CryptoKey on every sign and verify — work every signed-in request repeated (bench:profile).
 */
const keyCache = new Map<string, Promise<CryptoKey>>();
function signingKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    if (secret.length < 32) throw new Error("AUTH_SECRET must be at least 32 characters");
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

/** A short-lived access JWT (RFC 9068 `at+jwt`) bound to a session. */
export async function issueAccessToken(
  claims: AccessClaims,
  config: AppConfig,
  secret: string,
  now: Date,
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE })
    .setSubject(claims.userId)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + config.accessTokenTtl)
    .setJti(newId("jti"))
    .sign(await signingKey(secret));
}

/**
 * Tokens this isolate has verified, by their exact text, until they expire: a client sends the same
 * token with every request for its lifetime, and jose's parse, signature and claims checks were
 * ~0.35 ms of a bearer `/me`'s JavaScript under bench:profile (a `/me` with an API key, whose check is
 * cached, cost less than one with a token). Any other text — a single character changed — is
 * verified afresh. What a token's claims say stays checked per request: its session (revocation)
 * through the session cache, its expiry here.
 */
const verified = new Map<string, { claims: AccessClaims; expSeconds: number; secret: string }>();
export const VERIFIED_MAX = 5_000;

/** How many tokens this isolate remembers (tests of the bound). */
export const verifiedTokens = () => verified.size;

/**
 * Checks algorithm (allow-list of one), signature, issuer, audience, expiry and type.
 * Returns null for any token that fails: callers answer 401 without saying why.
 */
export async function verifyAccessToken(
  token: string,
  config: AppConfig,
  secret: string,
  now: Date,
): Promise<AccessClaims | null> {
  const known = verified.get(token);
  if (known) {
    if (known.secret === secret && now.getTime() < known.expSeconds * 1000) return known.claims;
    verified.delete(token);
  }
  try {
    const { payload } = await jwtVerify(token, await signingKey(secret), {
      algorithms: [ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      typ: TOKEN_TYPE,
      requiredClaims: ["sub", "exp", "iat", "sid"],
      currentDate: now,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
    const claims = { userId: payload.sub, sessionId: payload.sid };
    // requiredClaims made jose check that `exp` is a number.
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(token, { claims, expSeconds: payload.exp ?? 0, secret });
    return claims;
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}
