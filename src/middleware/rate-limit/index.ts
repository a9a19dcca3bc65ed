import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { ApiError } from "../../errors";

/** The named limits routes use; their sizes come from the RATE_LIMITS var. */
export type RateLimitName =
  | "login-account"
  | "login-ip"
  | "register-ip"
  | "api-user"
  | "job-create"
  | "organize-user"
  | "otp-account"
  | "password-reset-ip"
  | "password-reset-account"
  | "verify-resend"
  | "billing-user";

export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "local";
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
  const rule = getConfig(c.env).rateLimits[name];
  if (!rule) return;
  const stub = c.env.RATE_LIMITER.getByName(`${name}:${subject}`);
  const result = await stub.take(rule.capacity, rule.refillPerMinute);
  const headers = {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "RateLimit-Policy": `${rule.capacity};w=${Math.ceil((rule.capacity / rule.refillPerMinute) * 60)}`,
  };
  if (!result.allowed) {
    throw new ApiError(
      429,
      "rate_limited",
      `Too many requests; try again in ${result.retryAfterSeconds} s.`,
      {
        headers: { ...headers, "Retry-After": String(result.retryAfterSeconds) },
      },
    );
  }
  for (const [key, value] of Object.entries(headers)) c.header(key, value);
}

/** Middleware form: one token per request from the bucket `subject(c)` picks (skipped when it returns null). */
export function rateLimit(name: RateLimitName, subject: (c: Context<AppEnv>) => string | null) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = subject(c);
    if (key !== null) await spendRateLimit(c, name, key);
    return next();
  });
}
