import { stringVars } from "../config";
/** Mail settings from the EMAIL_* vars (wrangler.toml) and the EMAIL_HTTP_TOKEN secret. */
export type EmailProviderName = "log" | "http" | "send_email";

export interface EmailConfig {
  /** `log` stores mail in D1 (the dev mailbox); `http` posts to a Resend-style API; `send_email` uses the binding. */
  provider: EmailProviderName;
  /** The From header, e.g. `Edgecraft <no-reply@edgecraft.example>`. */
  from: string;
  /** Base URL of the HTTP provider (`POST {base}/emails`). */
  httpBase: string | null;
  httpToken: string | null;
  /** First retry delay; each later one doubles (capped), with jitter. */
  retryBaseSeconds: number;
}

const PROVIDERS: readonly EmailProviderName[] = ["log", "http", "send_email"];
const cache = new WeakMap<object, EmailConfig>();

export function emailConfig(env: Env): EmailConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const vars = stringVars(env);
  const provider = (vars.EMAIL_PROVIDER ?? "log") as EmailProviderName;
  if (!PROVIDERS.includes(provider)) {
    throw new Error(`Config EMAIL_PROVIDER must be one of ${PROVIDERS.join(", ")}, got "${provider}"`);
  }
  const httpBase = vars.EMAIL_HTTP_BASE ? vars.EMAIL_HTTP_BASE.replace(/\/+$/, "") : null;
  if (provider === "http" && !httpBase)
    throw new Error("Config EMAIL_HTTP_BASE is required with EMAIL_PROVIDER=http");
  const config: EmailConfig = {
    provider,
    from: vars.EMAIL_FROM || "Edgecraft <no-reply@edgecraft.example>",
    httpBase,
    httpToken: vars.EMAIL_HTTP_TOKEN ?? null,
    retryBaseSeconds: nonNegative(vars.EMAIL_RETRY_BASE_SECONDS, 30, "EMAIL_RETRY_BASE_SECONDS"),
  };
  cache.set(env, config);
  return config;
}

function nonNegative(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Config ${name} must be a whole number >= 0`);
  return n;
}
