import { parseMoney } from "../lib/money";

/**
 * The PayPal REST calls billing needs (Orders v2, Payments v2 refunds, Webhooks v1 signature
 * verification), over a `fetch` and a base URL given by config — so tests and dev can point it at
 * the local stand-in (src/billing/paypal-standin.ts).
 */
export interface PayPalOptions {
  base: string;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
}

/** A refusal from PayPal: `issue` is the first `details[].issue` (e.g. ORDER_NOT_APPROVED). */
export class PayPalError extends Error {
  constructor(
    readonly status: number,
    readonly issue: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface PayPalCapture {
  id: string;
  status: string;
  amountCents: number | null;
  currency: string | null;
  customId: string | null;
}

export interface PayPalOrder {
  id: string;
  status: string;
  capture: PayPalCapture | null;
}

export interface PayPalRefund {
  id: string;
  status: string;
  amountCents: number | null;
  currency: string | null;
}

/** Access tokens by base + client id, reused until a minute before they expire. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function parseCapture(raw: unknown): PayPalCapture | null {
  const c = obj(raw);
  const id = text(c.id);
  if (!id) return null;
  const amount = obj(c.amount);
  const value = text(amount.value);
  return {
    id,
    status: text(c.status) ?? "UNKNOWN",
    amountCents: value === null ? null : parseMoney(value),
    currency: text(amount.currency_code),
    customId: text(c.custom_id),
  };
}

function parseOrder(raw: unknown): PayPalOrder {
  const o = obj(raw);
  const unit = obj((o.purchase_units as unknown[] | undefined)?.[0]);
  const captures = obj(unit.payments).captures as unknown[] | undefined;
  return { id: text(o.id) ?? "", status: text(o.status) ?? "UNKNOWN", capture: parseCapture(captures?.[0]) };
}

export function createPayPalClient(options: PayPalOptions) {
  const { base } = options;

  async function accessToken(): Promise<string> {
    const key = `${base} ${options.clientId}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const res = await options.fetch(`${base}/v1/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa(`${options.clientId}:${options.clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    const body = obj(await res.json().catch(() => ({})));
    const token = text(body.access_token);
    if (!res.ok || !token)
      throw new PayPalError(res.status, null, `PayPal refused the app credentials (${res.status}).`);
    tokens.set(key, { token, expiresAt: Date.now() + (Number(body.expires_in) - 60) * 1000 });
    return token;
  }

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const send = async () =>
      options.fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await accessToken()}`,
          "content-type": "application/json",
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    let res = await send();
    if (res.status === 401) {
      // A cached token PayPal no longer honours: fetch a new one, once.
      tokens.delete(`${base} ${options.clientId}`);
      res = await send();
    }
    const json = obj(await res.json().catch(() => ({})));
    if (!res.ok) {
      const issue = text(obj((json.details as unknown[] | undefined)?.[0]).issue);
      throw new PayPalError(
        res.status,
        issue,
        `PayPal ${method} ${path} answered ${res.status}${issue ? ` ${issue}` : ""}.`,
      );
    }
    return json;
  }

  return {
    /** A CAPTURE order for one purchase unit; `requestId` makes a retried create return the same order. */
    async createOrder(input: {
      requestId: string;
      customId: string;
      referenceId: string;
      description: string;
      amount: string;
      currency: string;
      returnUrl: string;
      cancelUrl: string;
    }): Promise<{ id: string; approveUrl: string }> {
      const order = await call(
        "POST",
        "/v2/checkout/orders",
        {
          intent: "CAPTURE",
          purchase_units: [
            {
              reference_id: input.referenceId,
              custom_id: input.customId,
              description: input.description,
              amount: { currency_code: input.currency, value: input.amount },
            },
          ],
          payment_source: {
            paypal: {
              experience_context: {
                brand_name: "Edgecraft",
                shipping_preference: "NO_SHIPPING",
                user_action: "PAY_NOW",
                return_url: input.returnUrl,
                cancel_url: input.cancelUrl,
              },
            },
          },
        },
        { "paypal-request-id": input.requestId },
      );
      const links = (order.links as Json[] | undefined) ?? [];
      const approve = links.find((l) => l.rel === "payer-action" || l.rel === "approve");
      const id = text(order.id);
      const approveUrl = text(approve?.href);
      if (!id || !approveUrl) throw new PayPalError(502, null, "PayPal's order had no id or approve link.");
      return { id, approveUrl };
    },

    async captureOrder(orderId: string, requestId: string): Promise<PayPalOrder> {
      return parseOrder(
        await call(
          "POST",
          `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`,
          {},
          {
            "paypal-request-id": requestId,
            prefer: "return=representation",
          },
        ),
      );
    },

    async getOrder(orderId: string): Promise<PayPalOrder> {
      return parseOrder(await call("GET", `/v2/checkout/orders/${encodeURIComponent(orderId)}`));
    },

    /** A full refund of a capture. */
    async refundCapture(captureId: string, requestId: string): Promise<PayPalRefund> {
      const refund = await call(
        "POST",
        `/v2/payments/captures/${encodeURIComponent(captureId)}/refund`,
        {},
        {
          "paypal-request-id": requestId,
          prefer: "return=representation",
        },
      );
      const amount = obj(refund.amount);
      const value = text(amount.value);
      return {
        id: text(refund.id) ?? "",
        status: text(refund.status) ?? "UNKNOWN",
        amountCents: value === null ? null : parseMoney(value),
        currency: text(amount.currency_code),
      };
    },

    /**
     * Asks PayPal whether a webhook delivery is genuine. The event goes back byte for byte as it
     * arrived (spliced into the request, not re-serialised), since the signature covers its CRC32.
     */
    async verifyWebhookSignature(input: {
      authAlgo: string;
      certUrl: string;
      transmissionId: string;
      transmissionSig: string;
      transmissionTime: string;
      webhookId: string;
      rawEvent: string;
    }): Promise<boolean> {
      const head = JSON.stringify({
        auth_algo: input.authAlgo,
        cert_url: input.certUrl,
        transmission_id: input.transmissionId,
        transmission_sig: input.transmissionSig,
        transmission_time: input.transmissionTime,
        webhook_id: input.webhookId,
      });
      const body = `${head.slice(0, -1)},"webhook_event":${input.rawEvent}}`;
      const answer = await call("POST", "/v1/notifications/verify-webhook-signature", body);
      return answer.verification_status === "SUCCESS";
    },
  };
}

export type PayPalClient = ReturnType<typeof createPayPalClient>;
