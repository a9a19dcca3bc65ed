import { scrypt } from "node:crypto";
import { base64url, constantTimeEqual, fromBase64url } from "../lib/crypto";

/**
 * scrypt parameters. OWASP lists N=2^17,r=8,p=1 (128 MiB) first, which does not fit a 128 MB
 * isolate; N=2^14,r=8,p=5 is its equal-strength alternative at 16 MiB of memory.
 * Stored with every hash, so changing them here re-hashes each account at its next login.
 */
export const CURRENT_PARAMS = { N: 2 ** 14, r: 8, p: 5, keyLength: 32 } as const;

export type ScryptParams = { N: number; r: number; p: number; keyLength: number };

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      params.keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(new Uint8Array(key))),
    );
  });
}

/** `scrypt$N$r$p$salt$key` with salt and key in base64url. */
export async function hashPassword(password: string, params: ScryptParams = CURRENT_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(password, salt, params);
  return ["scrypt", params.N, params.r, params.p, base64url(salt), base64url(key)].join("$");
}

function parse(stored: string): { params: ScryptParams; salt: Uint8Array; key: string } | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return null;
  const key = parts[5]!;
  return { params: { N, r, p, keyLength: fromBase64url(key).length }, salt: fromBase64url(parts[4]!), key };
}

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with other parameters than today's: store a fresh one. */
  needsRehash: boolean;
}

export async function verifyPassword(password: string, stored: string): Promise<VerifyResult> {
  const parsed = parse(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = constantTimeEqual(base64url(key), parsed.key);
  const p = parsed.params;
  const needsRehash =
    ok &&
    (p.N !== CURRENT_PARAMS.N ||
      p.r !== CURRENT_PARAMS.r ||
      p.p !== CURRENT_PARAMS.p ||
      p.keyLength !== CURRENT_PARAMS.keyLength);
  return { ok, needsRehash };
}

/** Spends the same work as a real check, for answers that must not reveal whether an account exists. */
// The finished hash is kept, not the pending promise: a request never awaits work that another
// request started (workerd ties that work to the request that began it; see rate-limit/lease.ts).
let decoyHash: string | null = null;
export async function burnPasswordCheck(password: string): Promise<void> {
  decoyHash ??= await hashPassword("decoy-password-never-matches");
  await verifyPassword(password, decoyHash);
}
