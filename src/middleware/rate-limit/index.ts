import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { ApiError } from "../../errors";
import { takeSlot } from "./in-flight";
import { takeLeased } from "./lease";

/**
 * The named limits routes use; their sizes come from the RATE_LIMITS var (a name the var leaves
 * out is not limited).
 * - `login-account-client`: sign-in attempts per (account, client); what one client can spend on an
 *   account, so nobody can lock a known account out from one address.
 * - `login-account`: per account across all clients, larger, against distributed guessing.
 * - `anon-ip`: every anonymous API request and every bad credential, per client.
 * - `share-ip`: share-link downloads per client (each one is a D1 write), signed in or not.
 * - `share-unlock`: password attempts on one share link per client (scrypt, and guessing).
 */
export type RateLimitName =
  | "login-account"
  | "login-account-client"
  | "login-ip"
  | "register-ip"
  | "api-user"
  | "anon-ip"
  | "share-ip"
  | "share-unlock"
  | "job-create"
  | "organize-user"
  | "otp-account"
  | "password-reset-ip"
  | "password-reset-account"
  | "verify-resend"
  | "billing-user";

/** Every caller of a deployment that isn't behind Cloudflare: see `clientIp`. */
export const LOCAL_PEER = "local";

/**
 * The client's address for per-client limits and session records. Behind Cloudflare the edge
 * overwrites `CF-Connecting-IP` with the real peer, so it is trusted there (TRUST_CF_CONNECTING_IP).
 * Anywhere else the header is whatever the client sent — and `wrangler dev` keeps a client's value
 * rather than the socket's — so every caller is the one local peer: a forged header can't buy a
 * fresh bucket.
 */
export function clientIp(c: Context<AppEnv>): string {
  if (!getConfig(c.env).trustCfConnectingIp) return LOCAL_PEER;
  return c.req.header("cf-connecting-ip")?.trim() || LOCAL_PEER;
}

/** The limits every request spends; served from an isolate's lease of tokens (./lease.ts). */
const PER_REQUEST: ReadonlySet<RateLimitName> = new Set(["api-user", "anon-ip"]);

/** Takes one token from the bucket `<name>:<subject>`; null when RATE_LIMITS has no such rule. */
export async function takeToken(env: Env, name: RateLimitName, subject: string) {
  const rule = getConfig(env).rateLimits[name];
  if (!rule) return null;
  const key = `${name}:${subject}`;
  const result = PER_REQUEST.has(name)
    ? await takeLeased(env, key, rule)
    : await env.RATE_LIMITER.getByName(key).take(rule.capacity, rule.refillPerMinute);
  return { rule, result };
}

/**
 * Buckets this isolate saw empty, with the time the bucket object said a token comes back. Until
 * then a caller who keeps going is refused here, without a round trip to the bucket object — and a
 * signed-in one before authentication's D1 reads (`refuseIfKnownEmpty`) — so a flood costs little
 * and other users' requests don't queue behind it (bench:fairness). Only a refusal the bucket would
 * give anyway is repeated; another isolate simply asks the bucket. A repeated refusal is also held
 * for REFUSAL_HOLD_MS (never past the token's return): however cheap, a client ignoring Retry-After
 * would otherwise send hundreds a second on a few connections, and those, not the requests A is
 * served, are what slowed B (bench:fairness). The first refusal answers at once, with Retry-After,
 * and a client that waits it out comes back to a bucket with a token: it is never held.
 */
const emptyUntil = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

function refusal(
  c: Context<AppEnv>,
  retryAfterSeconds: number,
  headers: Record<string, string>,
  holdMs = 0,
): ApiError {
  // The answer's headers go on the error answer too, so the refusing bucket's replace any shown before.
  for (const [key, value] of Object.entries(headers)) c.var.answerHeaders.set(key, value);
  return new ApiError(429, "rate_limited", `Too many requests; try again in ${retryAfterSeconds} s.`, {
    headers: { ...headers, "Retry-After": String(retryAfterSeconds) },
    holdMs,
  });
}

/** Throws 429 when this isolate knows the bucket `<name>:<subject>` is still empty. */
export function refuseIfKnownEmpty(c: Context<AppEnv>, name: RateLimitName, subject: string): void {
  const key = `${name}:${subject}`;
  const until = emptyUntil.get(key);
  if (until === undefined) return;
  const left = until - Date.now();
  if (left <= 0) {
    emptyUntil.delete(key);
    return;
  }
  const { rateLimits, refusalHoldMs } = getConfig(c.env);
  const retryAfter = Math.ceil(left / 1000);
  throw refusal(
    c,
    retryAfter,
    {
      "RateLimit-Limit": String(rateLimits[name]?.capacity ?? 0),
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": String(retryAfter),
    },
    Math.min(left, refusalHoldMs),
  );
}

/**
 * Spends one token from `<name>:<subject>`; throws 429 with Retry-After when the bucket is empty.
 * Always sets the RateLimit-* headers (IETF draft) so clients can pace themselves.
 */
export async function spendRateLimit(
  c: Context<AppEnv>,
  name: RateLimitName,
  subject: string,
): Promise<void> {
  refuseIfKnownEmpty(c, name, subject);
  const taken = await takeToken(c.env, name, subject);
  if (!taken) return;
  const { rule, result } = taken;
  const headers = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "RateLimit-Policy": `${rule.capacity};w=${Math.ceil((rule.capacity / rule.refillPerMinute) * 60)}`,
  };
  if (!result.allowed) {
    if (emptyUntil.size >= MAX_REMEMBERED) emptyUntil.clear();
    emptyUntil.set(`${name}:${subject}`, Date.now() + result.retryAfterSeconds * 1000);
    throw refusal(c, result.retryAfterSeconds, headers);
  }
  // A request that spends several buckets reports the one closest to running out.
  const shown = c.var.answerHeaders.get("RateLimit-Remaining");
  if (shown === null || result.remaining <= Number(shown)) {
    for (const [key, value] of Object.entries(headers)) c.var.answerHeaders.set(key, value);
  }
}

/**
 * Holds a refusal `refuseIfKnownEmpty` repeated for its `holdMs` before it is answered. The outermost
 * middleware, so the request has given its caller's turn back (perCaller's `finally` ran) and its log
 * line and metrics sample carry the app's own time; it waits on its own timer, never on a promise
 * another request resolves (workerd would cancel it).
 */
export const holdRepeatedRefusals = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const holdMs = c.error instanceof ApiError ? (c.error.extra.holdMs ?? 0) : 0;
  if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
});

/**
 * Every API request waits for one of its caller's CALLER_MAX_IN_FLIGHT turns in this isolate
 * (./in-flight.ts), then spends one token: signed-in callers their own bucket, anonymous ones their
 * address's. A request still waiting after CALLER_MAX_WAIT_MS is answered 429 without spending one.
 */
export const perCaller = createMiddleware<AppEnv>(async (c, next) => {
  const principal = c.get("principal");
  const { callerMaxInFlight, callerMaxWaitMs } = getConfig(c.env);
  // A WebSocket upgrade (a job's progress watchers) answers 101 at once and then holds no turn: a page
  // opening many watchers must not queue them, nor be refused beyond the waiting places.
  const capped = callerMaxInFlight > 0 && c.req.header("upgrade")?.toLowerCase() !== "websocket";
  const release = capped
    ? await takeSlot(
        principal ? `user:${principal.userId}` : `ip:${clientIp(c)}`,
        callerMaxInFlight,
        callerMaxWaitMs,
      )
    : () => {};
  if (!release) {
    throw refusal(c, 1, {});
  }
  try {
    if (principal) await spendRateLimit(c, "api-user", principal.userId);
    else await spendRateLimit(c, "anon-ip", clientIp(c));
    await next();
  } finally {
    release();
  }
});
