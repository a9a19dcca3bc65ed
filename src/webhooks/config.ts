import { stringVars } from "../config";
/** Webhook settings from the vars (wrangler.toml), checked once per isolate. */
export interface WebhookConfig {
  /** Dev/test only: allow http:// and private, loopback and link-local hosts (ALLOW_PRIVATE_WEBHOOKS). */
  allowPrivate: boolean;
  /** Seconds to wait before each retry; the attempts are these plus the first (WEBHOOK_RETRY_SCHEDULE). */
  retrySchedule: number[];
  /** Deliveries in a row that fail for good before the endpoint is disabled (WEBHOOK_DISABLE_AFTER). */
  disableAfter: number;
  /** How long one attempt may take before it counts as failed (WEBHOOK_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Endpoints one user may register. */
  maxEndpoints: number;
}

/**
 * The default retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 8 h, 8 h — eight attempts over ~23.6 h,
 * the shape the Standard Webhooks spec suggests (quick retries for blips, spaced ones for outages).
 */
export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18_000, 28_800, 28_800];

const cache = new WeakMap<object, WebhookConfig>();

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`Config ${name} must be a positive integer`);
  return n;
}

export function webhookConfig(env: Env): WebhookConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const vars = stringVars(env);
  const schedule = vars.WEBHOOK_RETRY_SCHEDULE?.trim();
  const retrySchedule = schedule
    ? schedule.split(",").map((s) => {
        const n = Number(s.trim());
        if (!Number.isSafeInteger(n) || n < 0 || n > 43_200)
          throw new Error(
            "Config WEBHOOK_RETRY_SCHEDULE lists seconds from 0 to 43200 (a queue's longest delay)",
          );
        return n;
      })
    : DEFAULT_RETRY_SCHEDULE;
  const allow = vars.ALLOW_PRIVATE_WEBHOOKS ?? "false";
  if (allow !== "true" && allow !== "false")
    throw new Error('Config ALLOW_PRIVATE_WEBHOOKS must be "true" or "false"');
  const config: WebhookConfig = {
    allowPrivate: allow === "true",
    retrySchedule,
    disableAfter: count(vars.WEBHOOK_DISABLE_AFTER, 5, "WEBHOOK_DISABLE_AFTER"),
    timeoutMs: count(vars.WEBHOOK_TIMEOUT_SECONDS, 15, "WEBHOOK_TIMEOUT_SECONDS") * 1000,
    maxEndpoints: 20,
  };
  cache.set(env, config);
  return config;
}
