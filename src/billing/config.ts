import { stringVars } from "../config";
import { parseMoney } from "../lib/money";

export interface CreditPack {
  id: string;
  credits: number;
  /** Minor units of `currency`. */
  priceCents: number;
  currency: string;
}

export interface BillingConfig {
  packs: CreditPack[];
  currency: string;
  paypal: {
    /** PayPal's REST base; a path (`/__dev/paypal`) is resolved against the request's origin (dev stand-in). */
    apiBase: string;
    webhookId: string;
    clientId: string | null;
    clientSecret: string | null;
  };
}

/** Currencies PayPal lists with two decimals that we accept (the money code is exact for those). */
const TWO_DECIMAL_CURRENCIES = new Set([
  "USD",
  "EUR",
  "GBP",
  "CAD",
  "AUD",
  "CHF",
  "SEK",
  "NOK",
  "DKK",
  "PLN",
  "NZD",
  "SGD",
]);

/** `starter:50:5.00,standard:200:18.00` → packs, checked once per isolate. */
export function parsePacks(spec: string, currency: string): CreditPack[] {
  const packs = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([a-z0-9-]{1,32}):(\d{1,7}):(\d+(?:\.\d{1,2})?)$/.exec(part);
      const priceCents = match ? parseMoney(match[3]!) : null;
      if (!match || !priceCents || Number(match[2]) <= 0)
        throw new Error(`Config CREDIT_PACKS has a malformed pack "${part}"`);
      return { id: match[1]!, credits: Number(match[2]), priceCents, currency };
    });
  if (new Set(packs.map((p) => p.id)).size !== packs.length)
    throw new Error("Config CREDIT_PACKS repeats a pack id");
  return packs;
}

const cache = new WeakMap<object, BillingConfig>();

export function billingConfig(env: Env): BillingConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const vars = stringVars(env);
  const currency = (vars.BILLING_CURRENCY ?? "USD").toUpperCase();
  if (!TWO_DECIMAL_CURRENCIES.has(currency))
    throw new Error(`Config BILLING_CURRENCY "${currency}" is not supported`);
  const config: BillingConfig = {
    packs: parsePacks(vars.CREDIT_PACKS ?? "", currency),
    currency,
    paypal: {
      apiBase: (vars.PAYPAL_API_BASE ?? "https://api-m.sandbox.paypal.com").replace(/\/+$/, ""),
      webhookId: vars.PAYPAL_WEBHOOK_ID ?? "",
      clientId: env.PAYPAL_CLIENT_ID ?? null,
      clientSecret: env.PAYPAL_CLIENT_SECRET ?? null,
    },
  };
  cache.set(env, config);
  return config;
}
