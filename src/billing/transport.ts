import { ApiError } from "../errors";
import { type BillingConfig, billingConfig } from "./config";
import { createPayPalClient, type PayPalClient } from "./paypal";
import { createPayPalStandIn, type PayPalStandIn } from "./paypal-standin";

/** The path the dev stand-in is served at (PAYPAL_API_BASE = this path in dev). */
export const DEV_STANDIN_PATH = "/__dev/paypal";

let devStandIn: { key: string; instance: PayPalStandIn } | null = null;

/**
 * The stand-in `wrangler dev` serves when PAYPAL_API_BASE is a path: one per isolate (its orders
 * live in memory), reached in-process by the API and over HTTP by the buyer's browser. Refused
 * outside APP_ENV=dev, so a deployment can't be pointed at it by accident.
 */
export function devPayPalStandIn(
  env: Env,
  origin: string,
  deliver: (request: Request) => Promise<unknown>,
): PayPalStandIn {
  const config = billingConfig(env);
  if (env.APP_ENV !== "dev" || !config.paypal.apiBase.startsWith("/")) {
    throw new ApiError(404, "route_not_found", "No PayPal stand-in here.");
  }
  const key = `${origin} ${config.paypal.clientId} ${config.paypal.webhookId}`;
  if (devStandIn?.key !== key) {
    devStandIn = {
      key,
      instance: createPayPalStandIn({
        clientId: config.paypal.clientId ?? "",
        clientSecret: config.paypal.clientSecret ?? "",
        webhookId: config.paypal.webhookId,
        publicBase: `${origin}${config.paypal.apiBase}`,
        webhookUrl: `${origin}/api/v1/billing/paypal/webhook`,
        deliver,
      }),
    };
  }
  return devStandIn.instance;
}

/** A PayPal client for this deployment, or 503 when billing is not configured. */
export function paypalFor(
  env: Env,
  origin: string,
  deliver: (request: Request) => Promise<unknown>,
): { client: PayPalClient; config: BillingConfig } {
  const config = billingConfig(env);
  const { clientId, clientSecret, apiBase } = config.paypal;
  if (!clientId || !clientSecret) {
    throw new ApiError(503, "billing_unavailable", "Payments are not configured on this deployment.");
  }
  const local = apiBase.startsWith("/");
  const client = createPayPalClient({
    base: local ? `${origin}${apiBase}` : apiBase,
    clientId,
    clientSecret,
    fetch: local
      ? (input, init) => devPayPalStandIn(env, origin, deliver).fetch(new Request(input, init))
      : (input, init) => fetch(input, init),
  });
  return { client, config };
}
