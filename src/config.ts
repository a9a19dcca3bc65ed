export interface RateLimitRule {
  /** Bucket size: how many requests may come at once. */
  capacity: number;
  /** Tokens added back per minute. */
  refillPerMinute: number;
}

export interface AppConfig {
  appEnv: string;
  appOrigin: string;
  corsOrigins: string[];
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionIdle: number;
  sessionAbsolute: number;
  /** How long an isolate may admit an access token on what it last read of its session (ADR 0013). */
  sessionCacheSeconds: number;
  rateLimits: Record<string, RateLimitRule>;
  /** Each caller's requests running at once in one isolate; more wait their turn (ADR 0013). 0 = no cap. */
  callerMaxInFlight: number;
  /** How long a request waits for its caller's turn before it is answered 429. */
  callerMaxWaitMs: number;
  /** How long a refusal repeated from an isolate's memory of an empty bucket is held (ms; ADR 0013). */
  refusalHoldMs: number;
  /** One in how many fast successful reads an isolate logs (ADR 0015); 1 = every request. */
  requestLogSample: number;
  freeCredits: number;
  /**
   * Whether `CF-Connecting-IP` names the client. Only Cloudflare's edge sets it in a way a client
   * can't forge, so only a deployment behind Cloudflare may say so (on in staging and production).
   */
  trustCfConnectingIp: boolean;
}

/**
 * The Worker's vars by name (optional vars are not in `Env`'s type, so config readers look them up
 * here): read from `env` when asked, so an env that computes its values (a test's Proxy) works too.
 * Strings come back as they are, numbers and booleans as text; bindings and objects are undefined.
 */
export function stringVars(env: object): Record<string, string | undefined> {
  return new Proxy<Record<string, string | undefined>>(
    {},
    {
      get(_, name) {
        const value: unknown = typeof name === "string" ? Reflect.get(env, name) : undefined;
        if (typeof value === "string") return value;
        return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
      },
    },
  );
}

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`Config ${name} must be a positive integer, got "${value}"`);
  return n;
}

function nonNegativeInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (value === undefined || value === "" || !Number.isInteger(n) || n < 0)
    throw new Error(`Config ${name} must be a whole number of 0 or more, got "${value}"`);
  return n;
}

function flag(value: string | undefined, name: string): boolean {
  if (value === "true") return true;
  if (value === undefined || value === "" || value === "false") return false;
  throw new Error(`Config ${name} must be "true" or "false", got "${value}"`);
}

/** `login-ip=20/20,api-user=300/300` → rules by name; refills may be fractional (`10/0.1667` ≈ 10 an hour). */
export function parseRateLimits(spec: string): Record<string, RateLimitRule> {
  const rules: Record<string, RateLimitRule> = {};
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9-]+)=(\d+)\/(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`Config RATE_LIMITS has a malformed rule "${part}"`);
    rules[match[1]!] = { capacity: Number(match[2]), refillPerMinute: Number(match[3]) };
  }
  return rules;
}

const cache = new WeakMap<object, AppConfig>();

/** Reads and checks the vars once per isolate; a typo fails loudly at the first request. */
export function getConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const config: AppConfig = {
    appEnv: env.APP_ENV,
    appOrigin: new URL(env.APP_ORIGIN).origin,
    corsOrigins: env.CORS_ORIGINS.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    accessTokenTtl: positiveInt(env.ACCESS_TOKEN_TTL_SECONDS, "ACCESS_TOKEN_TTL_SECONDS"),
    refreshTokenTtl: positiveInt(env.REFRESH_TOKEN_TTL_SECONDS, "REFRESH_TOKEN_TTL_SECONDS"),
    sessionIdle: positiveInt(env.SESSION_IDLE_SECONDS, "SESSION_IDLE_SECONDS"),
    sessionAbsolute: positiveInt(env.SESSION_ABSOLUTE_SECONDS, "SESSION_ABSOLUTE_SECONDS"),
    sessionCacheSeconds: nonNegativeInt(env.SESSION_CACHE_SECONDS, "SESSION_CACHE_SECONDS"),
    rateLimits: parseRateLimits(env.RATE_LIMITS),
    callerMaxInFlight: nonNegativeInt(env.CALLER_MAX_IN_FLIGHT, "CALLER_MAX_IN_FLIGHT"),
    callerMaxWaitMs: nonNegativeInt(env.CALLER_MAX_WAIT_MS, "CALLER_MAX_WAIT_MS"),
    refusalHoldMs: nonNegativeInt(env.REFUSAL_HOLD_MS, "REFUSAL_HOLD_MS"),
    requestLogSample: positiveInt(env.REQUEST_LOG_SAMPLE, "REQUEST_LOG_SAMPLE"),
    freeCredits: Number(env.FREE_CREDITS) || 0,
    trustCfConnectingIp: flag(env.TRUST_CF_CONNECTING_IP, "TRUST_CF_CONNECTING_IP"),
  };
  cache.set(env, config);
  return config;
}
