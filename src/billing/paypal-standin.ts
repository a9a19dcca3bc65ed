import { hmacBase64url, randomToken } from "../lib/crypto";
import { escapeHtml } from "../lib/html";

/**
 * A local stand-in for the PayPal REST endpoints billing calls — OAuth2 client-credentials token,
 * Orders v2 create / get / capture, Payments v2 capture refund, Webhooks v1 verify-webhook-signature —
 * plus the buyer's approval page. It is a plain `(Request) => Response` handler with its state in
 * memory: workerd tests route `fetch` to it, and `wrangler dev` serves it at /__dev/paypal (set
 * PAYPAL_API_BASE to that path). It signs the webhooks it sends (and those tests make) with its own
 * key: HMAC-SHA256 over PayPal's `transmission_id|transmission_time|webhook_id|crc32(body)` string.
 */
export interface StandInOptions {
  clientId: string;
  clientSecret: string;
  webhookId: string;
  /** Where buyers reach the stand-in (approval page links), e.g. `http://localhost:8787/__dev/paypal`. */
  publicBase: string;
  /** When set, captures and refunds are reported to this webhook URL, as PayPal does. */
  webhookUrl?: string;
  /** How webhooks are delivered (defaults to global fetch). */
  deliver?: (request: Request) => Promise<unknown>;
}

interface Order {
  id: string;
  status: "PAYER_ACTION_REQUIRED" | "APPROVED" | "COMPLETED";
  unit: {
    reference_id: string;
    custom_id: string;
    description: string;
    amount: { currency_code: string; value: string };
  };
  returnUrl: string;
  cancelUrl: string;
  capture: Record<string, unknown> | null;
  /** What PayPal makes of this order's capture (the buyer's funding decides; tests choose). */
  captureStatus: CaptureStatus;
  createTime: string;
}

/**
 * A capture's status as PayPal reports it: COMPLETED, PENDING (funds not yet credited, e.g. an
 * uncleared eCheck; PayPal settles it later) or DECLINED (the funds could not be captured).
 */
export type CaptureStatus = "COMPLETED" | "PENDING" | "DECLINED";

/** Why a capture is PENDING or DECLINED (`status_details.reason`), and the webhook that reports it. */
const CAPTURE_REPORTS: Record<CaptureStatus, { event: string; reason?: string }> = {
  COMPLETED: { event: "PAYMENT.CAPTURE.COMPLETED" },
  PENDING: { event: "PAYMENT.CAPTURE.PENDING", reason: "ECHECK" },
  DECLINED: { event: "PAYMENT.CAPTURE.DENIED", reason: "DECLINED_BY_RISK_FRAUD_FILTERS" },
};

/** A capture resource's `status` and, when PayPal gives one, `status_details`. */
function captureStatusFields(status: CaptureStatus) {
  const { reason } = CAPTURE_REPORTS[status];
  return { status, ...(reason ? { status_details: { reason } } : {}) };
}

export const STANDIN_AUTH_ALGO = "HMACSHA256";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE), which PayPal's signed string uses for the body, as a decimal number. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Constant-time string comparison that needs no workerd extension (the stand-in also runs in Node). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const paypalId = (prefix = "") =>
  `${prefix}${randomToken(12)
    .replace(/[^A-Za-z0-9]/g, "")
    .toUpperCase()
    .slice(0, 17)}`;
const json = (body: unknown, status = 200) => Response.json(body, { status });
const issue = (status: number, name: string, detail: string) =>
  json(
    { name, message: detail, debug_id: paypalId(), details: [{ issue: detail, description: detail }] },
    status,
  );

export function createPayPalStandIn(options: StandInOptions) {
  const signingKey = randomToken(32);
  const accessTokens = new Set<string>();
  const orders = new Map<string, Order>();
  const captures = new Map<string, { orderId: string; refunded: boolean }>();
  /** PayPal-Request-Id → the answer first given, as PayPal replays it. */
  const replies = new Map<string, { status: number; body: unknown }>();
  const pending = new Set<Promise<unknown>>();

  const authorized = (request: Request) =>
    accessTokens.has((request.headers.get("authorization") ?? "").replace(/^Bearer /, ""));

  function orderJson(order: Order) {
    const unit: Record<string, unknown> = { ...order.unit };
    if (order.capture) unit.payments = { captures: [order.capture] };
    return {
      id: order.id,
      intent: "CAPTURE",
      status: order.status,
      create_time: order.createTime,
      purchase_units: [unit],
      links: [
        { href: `${options.publicBase}/v2/checkout/orders/${order.id}`, rel: "self", method: "GET" },
        ...(order.status === "PAYER_ACTION_REQUIRED"
          ? [
              {
                href: `${options.publicBase}/checkoutnow?token=${order.id}`,
                rel: "payer-action",
                method: "GET",
              },
            ]
          : []),
      ],
    };
  }

  /** PayPal's webhook envelope around a resource. */
  function event(eventType: string, resourceType: "capture" | "refund", resource: Record<string, unknown>) {
    return {
      id: paypalId("WH-"),
      event_version: "1.0",
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: "2.0",
      event_type: eventType,
      summary: `${eventType} (stand-in)`,
      resource,
    };
  }

  /** Headers PayPal sends with a webhook, signed over `body` (the exact bytes posted). */
  async function sign(
    body: string,
    transmissionTime = new Date().toISOString(),
    transmissionId = crypto.randomUUID(),
  ) {
    const signed = `${transmissionId}|${transmissionTime}|${options.webhookId}|${crc32(body)}`;
    return {
      "paypal-transmission-id": transmissionId,
      "paypal-transmission-time": transmissionTime,
      "paypal-transmission-sig": await hmacBase64url(signingKey, signed),
      "paypal-cert-url": `${options.publicBase}/v1/notifications/certs/standin`,
      "paypal-auth-algo": STANDIN_AUTH_ALGO,
      "content-type": "application/json",
    };
  }

  function send(evt: unknown) {
    if (!options.webhookUrl) return;
    const url = options.webhookUrl;
    const body = JSON.stringify(evt);
    const delivery = sign(body).then((headers) =>
      (options.deliver ?? fetch)(new Request(url, { method: "POST", headers, body })),
    );
    pending.add(delivery);
    delivery.catch(() => {}).finally(() => pending.delete(delivery));
  }

  async function createOrder(request: Request) {
    const body = (await request.json().catch(() => ({}))) as {
      intent?: string;
      purchase_units?: Order["unit"][];
      payment_source?: { paypal?: { experience_context?: { return_url?: string; cancel_url?: string } } };
    };
    const unit = body.purchase_units?.[0];
    if (body.intent !== "CAPTURE" || !unit?.amount?.value || !/^\d+(\.\d{2})?$/.test(unit.amount.value)) {
      return issue(400, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE");
    }
    const context = body.payment_source?.paypal?.experience_context ?? {};
    const order: Order = {
      id: paypalId(),
      status: "PAYER_ACTION_REQUIRED",
      unit,
      returnUrl: context.return_url ?? "",
      cancelUrl: context.cancel_url ?? "",
      capture: null,
      captureStatus: "COMPLETED",
      createTime: new Date().toISOString(),
    };
    orders.set(order.id, order);
    return json(orderJson(order), 200);
  }

  function captureOrder(orderId: string) {
    const order = orders.get(orderId);
    if (!order) return issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
    if (order.status === "COMPLETED") return issue(422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED");
    if (order.status !== "APPROVED") return issue(422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED");
    const id = paypalId();
    const now = new Date().toISOString();
    order.capture = {
      id,
      ...captureStatusFields(order.captureStatus),
      amount: order.unit.amount,
      final_capture: true,
      custom_id: order.unit.custom_id,
      create_time: now,
      update_time: now,
      supplementary_data: { related_ids: { order_id: order.id } },
      links: [
        { href: `${options.publicBase}/v2/payments/captures/${id}`, rel: "self", method: "GET" },
        { href: `${options.publicBase}/v2/payments/captures/${id}/refund`, rel: "refund", method: "POST" },
        { href: `${options.publicBase}/v2/checkout/orders/${order.id}`, rel: "up", method: "GET" },
      ],
    };
    // The stand-in keeps one capture per order, so the order is COMPLETED whatever its capture's status.
    order.status = "COMPLETED";
    captures.set(id, { orderId: order.id, refunded: false });
    send(event(CAPTURE_REPORTS[order.captureStatus].event, "capture", order.capture));
    return json(orderJson(order), 201);
  }

  /** PayPal settling a PENDING capture: it completes (the eCheck cleared) or is denied. */
  function settleCapture(captureId: string, status: Exclude<CaptureStatus, "PENDING">) {
    const order = orders.get(captures.get(captureId)?.orderId ?? "");
    const capture = order?.capture;
    if (!order || capture?.status !== "PENDING") throw new Error(`No pending capture ${captureId}`);
    const { status_details: _, ...rest } = capture;
    order.capture = { ...rest, ...captureStatusFields(status), update_time: new Date().toISOString() };
    send(event(CAPTURE_REPORTS[status].event, "capture", order.capture));
    return order.capture as Record<string, unknown> & { id: string; status: CaptureStatus };
  }

  function refundCapture(captureId: string) {
    const capture = captures.get(captureId);
    const order = capture && orders.get(capture.orderId);
    if (!capture || !order) return issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
    if (capture.refunded) return issue(422, "UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED");
    capture.refunded = true;
    const refund = refundResource(captureId, order.unit.amount, paypalId());
    send(event("PAYMENT.CAPTURE.REFUNDED", "refund", refund));
    return json(refund, 201);
  }

  function refundResource(captureId: string, amount: { currency_code: string; value: string }, id: string) {
    const now = new Date().toISOString();
    return {
      id,
      status: "COMPLETED",
      amount,
      create_time: now,
      update_time: now,
      links: [
        { href: `${options.publicBase}/v2/payments/refunds/${id}`, rel: "self", method: "GET" },
        { href: `${options.publicBase}/v2/payments/captures/${captureId}`, rel: "up", method: "GET" },
      ],
    };
  }

  async function verify(request: Request) {
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>;
    const signed = `${body.transmission_id}|${body.transmission_time}|${body.webhook_id}|${crc32(JSON.stringify(body.webhook_event))}`;
    const ok =
      body.auth_algo === STANDIN_AUTH_ALGO &&
      typeof body.cert_url === "string" &&
      body.cert_url.startsWith(`${options.publicBase}/`) &&
      body.webhook_id === options.webhookId &&
      typeof body.transmission_sig === "string" &&
      sameText(body.transmission_sig, await hmacBase64url(signingKey, signed));
    return json({ verification_status: ok ? "SUCCESS" : "FAILURE" });
  }

  function approvalPage(order: Order | undefined) {
    if (!order) return new Response("No such order", { status: 404 });
    const { value, currency_code } = order.unit.amount;
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PayPal stand-in</title>
<meta name="viewport" content="width=device-width"><style>body{font-family:system-ui,sans-serif;max-width:420px;margin:48px auto;padding:0 16px}button{font-size:16px;padding:10px 18px;margin-right:8px}</style></head>
<body><h1>PayPal (local stand-in)</h1><p>Pay <strong>${escapeHtml(value)} ${escapeHtml(currency_code)}</strong> to Edgecraft for: ${escapeHtml(order.unit.description)}</p>
<p>Order ${escapeHtml(order.id)} — status ${escapeHtml(order.status)}</p>
<form method="post" action="${escapeHtml(options.publicBase)}/checkoutnow"><input type="hidden" name="token" value="${escapeHtml(order.id)}">
<button name="decision" value="approve" type="submit">Approve payment</button><button name="decision" value="cancel" type="submit">Cancel</button></form></body></html>`;
    return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
  }

  async function decide(request: Request) {
    const form = await request.formData();
    const order = orders.get(String(form.get("token")));
    if (!order) return new Response("No such order", { status: 404 });
    const approve = form.get("decision") === "approve";
    if (approve && order.status === "PAYER_ACTION_REQUIRED") order.status = "APPROVED";
    const target = new URL(approve ? order.returnUrl : order.cancelUrl);
    target.searchParams.set("token", order.id);
    if (approve) target.searchParams.set("PayerID", "STANDINPAYER");
    return new Response(null, { status: 303, headers: { location: target.toString() } });
  }

  /** Replays the first answer for a repeated PayPal-Request-Id, as PayPal does. */
  async function idempotent(request: Request, run: () => Promise<Response> | Response) {
    const key = request.headers.get("paypal-request-id");
    const seen = key ? replies.get(`${new URL(request.url).pathname} ${key}`) : undefined;
    if (seen) return json(seen.body, seen.status);
    const res = await run();
    if (key && res.status < 500)
      replies.set(`${new URL(request.url).pathname} ${key}`, {
        status: res.status,
        body: await res.clone().json(),
      });
    return res;
  }

  function issueToken(request: Request): Response {
    const expected = `Basic ${btoa(`${options.clientId}:${options.clientSecret}`)}`;
    if (request.headers.get("authorization") !== expected) return json({ error: "invalid_client" }, 401);
    const token = `A21AA${randomToken(24)}`;
    accessTokens.add(token);
    return json({
      scope: "https://uri.paypal.com/services/payments",
      access_token: token,
      token_type: "Bearer",
      app_id: "APP-STANDIN",
      expires_in: 32400,
    });
  }

  type Route = [
    method: string,
    path: RegExp,
    handler: (request: Request, url: URL, id: string) => Response | Promise<Response>,
  ];
  /** Reached without a bearer token: the token itself and the buyer's approval page. */
  const openRoutes: Route[] = [
    ["POST", /^\/v1\/oauth2\/token$/, (request) => issueToken(request)],
    ["GET", /^\/checkoutnow$/, (_, url) => approvalPage(orders.get(url.searchParams.get("token") ?? ""))],
    ["POST", /^\/checkoutnow$/, (request) => decide(request)],
  ];
  const apiRoutes: Route[] = [
    ["POST", /^\/v2\/checkout\/orders$/, (request) => idempotent(request, () => createOrder(request))],
    [
      "GET",
      /^\/v2\/checkout\/orders\/([^/]+)$/,
      (_, __, id) => {
        const order = orders.get(id);
        return order ? json(orderJson(order)) : issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
      },
    ],
    [
      "POST",
      /^\/v2\/checkout\/orders\/([^/]+)\/capture$/,
      (request, _, id) => idempotent(request, () => captureOrder(id)),
    ],
    [
      "POST",
      /^\/v2\/payments\/captures\/([^/]+)\/refund$/,
      (request, _, id) => idempotent(request, () => refundCapture(id)),
    ],
    ["POST", /^\/v1\/notifications\/verify-webhook-signature$/, (request) => verify(request)],
  ];
  /** The first route for the method and path, with its decoded path parameter. */
  function route(routes: Route[], method: string, path: string) {
    for (const [m, pattern, handler] of routes) {
      const match = m === method ? pattern.exec(path) : null;
      if (match) return { handler, id: match[1] === undefined ? "" : decodeURIComponent(match[1]) };
    }
    return null;
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.slice(new URL(options.publicBase).pathname.replace(/\/$/, "").length);
    const open = route(openRoutes, request.method, path);
    if (open) return open.handler(request, url, open.id);
    if (!authorized(request))
      return json({ name: "AUTHENTICATION_FAILURE", message: "Authentication failed" }, 401);
    const api = route(apiRoutes, request.method, path);
    return api ? api.handler(request, url, api.id) : issue(404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID");
  }

  return {
    fetch: handle,
    /** The buyer's approval, without the page (tests). */
    approve(orderId: string) {
      const order = orders.get(orderId);
      if (order?.status === "PAYER_ACTION_REQUIRED") order.status = "APPROVED";
    },
    order: (orderId: string) => orders.get(orderId),
    /** Sets what PayPal makes of the order's capture when it is captured (default COMPLETED). */
    captureOutcome(orderId: string, status: CaptureStatus) {
      const order = orders.get(orderId);
      if (order) order.captureStatus = status;
    },
    settleCapture,
    /** Captures an approved order as if an earlier API call did it and its answer was lost (tests). */
    captureNow(orderId: string) {
      captureOrder(orderId);
      return orders.get(orderId)?.capture as (Record<string, unknown> & { id: string }) | undefined;
    },
    event,
    refundResource,
    sign,
    /** Webhook deliveries still in flight (tests wait for them). */
    settle: () => Promise.allSettled([...pending]),
  };
}

export type PayPalStandIn = ReturnType<typeof createPayPalStandIn>;
