import { env, exports } from "cloudflare:workers";
import { afterAll, expect, vi } from "vitest";
import { createPayPalStandIn, type PayPalStandIn } from "../../src/billing/paypal-standin";
import { call, nextIp, ORIGIN, type TestUser } from "./api";

export const PAYPAL_BASE = "https://paypal.test";

/**
 * Routes the Worker's outbound fetches to PAYPAL_API_BASE (vitest.config.ts) to a fresh PayPal
 * stand-in for this test file, the way the deployed Worker reaches PayPal.
 */
export function installPayPalStandIn(): PayPalStandIn {
  const standIn = createPayPalStandIn({
    clientId: String(env.PAYPAL_CLIENT_ID),
    clientSecret: String(env.PAYPAL_CLIENT_SECRET),
    webhookId: env.PAYPAL_WEBHOOK_ID,
    publicBase: PAYPAL_BASE,
  });
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const request = new Request(input as RequestInfo, init);
    return request.url.startsWith(`${PAYPAL_BASE}/`)
      ? standIn.fetch(request)
      : realFetch(input as RequestInfo, init);
  });
  afterAll(() => spy.mockRestore());
  return standIn;
}

/** Posts a webhook as PayPal would: the exact body, signed by the stand-in, fresh transmission. */
export async function deliverWebhook(
  standIn: PayPalStandIn,
  event: unknown,
  options: { headers?: Record<string, string>; transmissionTime?: string; transmissionId?: string } = {},
) {
  const body = JSON.stringify(event);
  const headers = {
    ...(await standIn.sign(body, options.transmissionTime, options.transmissionId)),
    // Webhooks are anonymous requests: each delivery its own client, as PayPal's senders are.
    "cf-connecting-ip": nextIp(),
    ...options.headers,
  };
  return exports.default.fetch(
    new Request(`${ORIGIN}/api/v1/billing/paypal/webhook`, { method: "POST", headers, body }),
  );
}

export interface Purchase {
  orderId: string;
  paymentId: string;
}

/** Creates an order for `pack` as `user` and approves it in the stand-in (the buyer's part). */
export async function approvedOrder(
  standIn: PayPalStandIn,
  user: TestUser,
  pack = "starter",
): Promise<Purchase> {
  const res = await call("/api/v1/billing/orders", {
    method: "POST",
    token: user.accessToken,
    json: { pack },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const order = (await res.json()) as { orderId: string; approveUrl: string; paymentId: string };
  expect(order.approveUrl).toContain(`${PAYPAL_BASE}/checkoutnow?token=${order.orderId}`);
  standIn.approve(order.orderId);
  return order;
}

export const capture = (user: TestUser, orderId: string) =>
  call(`/api/v1/billing/orders/${orderId}/capture`, { method: "POST", token: user.accessToken });

export async function credits(user: TestUser): Promise<number> {
  const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
    user: { credits: number };
  };
  return me.user.credits;
}

/** What the stand-in's order says about its capture (after our capture call). */
export function captureOf(standIn: PayPalStandIn, orderId: string) {
  const capture = standIn.order(orderId)?.capture;
  expect(capture).toBeTruthy();
  return capture as Record<string, unknown> & { id: string };
}
