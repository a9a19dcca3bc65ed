import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { settledMailCount, waitForMail } from "../helpers/mail";
import {
  approvedOrder,
  capture,
  captureOf,
  credits,
  deliverWebhook,
  installPayPalStandIn,
} from "../helpers/paypal";

const standIn = installPayPalStandIn();

const ledgerRows = (userId: string, kind: string) =>
  env.DB.prepare(
    "SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM credit_ledger WHERE user_id = ? AND kind = ?",
  )
    .bind(userId, kind)
    .first<{ n: number; total: number }>();

describe("buying credits", () => {
  it("lists the packs from config", async () => {
    const res = await call("/api/v1/billing/packs");
    expect(await res.json()).toEqual({
      packs: [
        { id: "starter", credits: 50, price: "5.00", currency: "USD" },
        { id: "standard", credits: 200, price: "18.00", currency: "USD" },
        { id: "pro", credits: 1000, price: "80.00", currency: "USD" },
      ],
    });
  });

  it("create → approve → capture grants the pack once, records the payment, mails a receipt", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user, "standard");
    // The order PayPal got carries the pack's price and our payment id, not anything the client said.
    expect(standIn.order(orderId)?.unit).toMatchObject({
      custom_id: paymentId,
      amount: { currency_code: "USD", value: "18.00" },
    });

    const res = await capture(user, orderId);
    expect(res.status, await res.clone().text()).toBe(200);
    const { payment } = (await res.json()) as { payment: Record<string, unknown> };
    expect(payment).toMatchObject({
      id: paymentId,
      pack: "standard",
      credits: 200,
      amount: "18.00",
      currency: "USD",
      status: "completed",
    });
    expect(payment.captureId).toBe(captureOf(standIn, orderId).id);
    expect(await credits(user)).toBe(start + 200);

    // Capturing again (a retry) changes nothing.
    expect((await capture(user, orderId)).status).toBe(200);
    expect(await credits(user)).toBe(start + 200);
    expect(await ledgerRows(user.id, "purchase")).toEqual({ n: 1, total: 200 });

    const mail = await waitForMail(user.email, /Receipt: 200 Edgecraft credits/);
    expect(mail.text).toContain("18.00 USD");
    const list = (await (await call("/api/v1/billing/payments", { token: user.accessToken })).json()) as {
      items: { id: string; receiptUrl: string }[];
    };
    expect(list.items.map((p) => p.id)).toEqual([paymentId]);
    const receipt = await call(list.items[0]!.receiptUrl.replace("/api/v1", "/api/v1"), {
      token: user.accessToken,
    });
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get("content-type")).toContain("text/html");
    expect(await receipt.text()).toContain("18.00 USD");
  });

  it("refuses an unknown pack (422), a client-chosen amount (422), and an unapproved order (409)", async () => {
    const user = await newUser();
    const unknown = await expectProblem(
      await call("/api/v1/billing/orders", {
        method: "POST",
        token: user.accessToken,
        json: { pack: "mega" },
      }),
      422,
      "unknown_pack",
    );
    expect(unknown.errors?.[0]?.path).toBe("pack");
    await expectProblem(
      await call("/api/v1/billing/orders", {
        method: "POST",
        token: user.accessToken,
        json: { pack: "starter", amount: "0.01" },
      }),
      422,
      "validation_failed",
    );
    const res = await call("/api/v1/billing/orders", {
      method: "POST",
      token: user.accessToken,
      json: { pack: "starter" },
    });
    const { orderId } = (await res.json()) as { orderId: string };
    await expectProblem(await capture(user, orderId), 409, "order_not_approved");
  });

  it("capturing someone else's order (or an unknown one) is 404 and grants nothing", async () => {
    const buyer = await newUser();
    const thief = await newUser();
    const { orderId } = await approvedOrder(standIn, buyer);
    const before = await credits(thief);
    await expectProblem(await capture(thief, orderId), 404, "not_found");
    await expectProblem(await capture(thief, "NOSUCHORDER123"), 404, "not_found");
    expect(await credits(thief)).toBe(before);
    expect(standIn.order(orderId)?.status).toBe("APPROVED");
  });

  it("API keys can't buy credits", async () => {
    const user = await newUser();
    const key = (await (
      await call("/api/v1/api-keys", {
        method: "POST",
        token: user.accessToken,
        json: { name: "k", scopes: ["account:read"] },
      })
    ).json()) as { secret: string };
    await expectProblem(
      await call("/api/v1/billing/orders", { method: "POST", token: key.secret, json: { pack: "starter" } }),
      403,
    );
  });
});

describe("capture and webhook, in any order and at once", () => {
  it("webhook first, then the capture call (PayPal says already captured): credits once, one receipt", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId } = await approvedOrder(standIn, user);
    const captured = standIn.captureNow(orderId)!;
    const hook = await deliverWebhook(
      standIn,
      standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", captured),
    );
    expect(hook.status, await hook.clone().text()).toBe(200);
    expect(await credits(user)).toBe(start + 50);
    const res = await capture(user, orderId);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { payment: { status: string } }).payment.status).toBe("completed");
    expect(await credits(user)).toBe(start + 50);
    await waitForMail(user.email, /Receipt/);
    const receipts = async () =>
      (
        await env.DB.prepare(
          "SELECT count(*) AS n FROM dev_mail WHERE to_address = ? AND subject LIKE 'Receipt%'",
        )
          .bind(user.email)
          .first<{ n: number }>()
      )?.n;
    await settledMailCount(user.email);
    expect(await receipts()).toBe(1);
  });

  it("the capture call, the webhook and its redeliveries, all concurrently: credits once", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId } = await approvedOrder(standIn, user, "pro");
    const captured = standIn.captureNow(orderId)!;
    const event = standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", captured);
    const answers = await Promise.all([
      capture(user, orderId),
      deliverWebhook(standIn, event),
      deliverWebhook(standIn, event),
      capture(user, orderId),
      deliverWebhook(standIn, event),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await credits(user)).toBe(start + 1000);
    expect(await ledgerRows(user.id, "purchase")).toEqual({ n: 1, total: 1000 });
  });

  it("a webhook whose amount differs from the pack's price grants nothing", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user);
    const captured = standIn.captureNow(orderId)!;
    const forgedAmount = {
      ...captured,
      amount: { currency_code: "USD", value: "0.01" },
      custom_id: paymentId,
    };
    const res = await deliverWebhook(
      standIn,
      standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", forgedAmount),
    );
    expect(((await res.json()) as { outcome: string }).outcome).toBe("mismatch");
    expect(await credits(user)).toBe(start);
  });
});

describe("captures PayPal holds or declines", () => {
  const paymentStatus = async (paymentId: string) =>
    (
      await env.DB.prepare("SELECT status FROM payments WHERE id = ?")
        .bind(paymentId)
        .first<{ status: string }>()
    )?.status;
  /** The receipt's mail event, written in the batch that grants the credits (one per payment). */
  const receipts = async (paymentId: string) =>
    (
      await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE id = ?")
        .bind(`evt_receipt_${paymentId}`)
        .first<{ n: number }>()
    )?.n;
  const outcome = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { outcome: string }).outcome;
  };

  it("a pending capture (an uncleared eCheck) grants nothing until PayPal reports it completed, then once", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user);
    standIn.captureOutcome(orderId, "PENDING");
    const res = await capture(user, orderId);
    expect(res.status, await res.clone().text()).toBe(200);
    const held = captureOf(standIn, orderId);
    expect(held).toMatchObject({ status: "PENDING", status_details: { reason: "ECHECK" } });
    expect(((await res.json()) as { payment: Record<string, unknown> }).payment).toMatchObject({
      status: "pending",
      captureId: held.id,
    });
    expect(
      await outcome(await deliverWebhook(standIn, standIn.event("PAYMENT.CAPTURE.PENDING", "capture", held))),
    ).toBe("pending");
    expect(await credits(user)).toBe(start);
    expect(await receipts(paymentId)).toBe(0);

    const cleared = standIn.settleCapture(held.id, "COMPLETED");
    const event = standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", cleared);
    expect(await outcome(await deliverWebhook(standIn, event))).toBe("granted");
    expect(await outcome(await deliverWebhook(standIn, event))).toBe("granted");
    // A late PENDING report (PayPal does not promise order) can't take the payment back.
    expect(
      await outcome(await deliverWebhook(standIn, standIn.event("PAYMENT.CAPTURE.PENDING", "capture", held))),
    ).toBe("pending");
    expect((await capture(user, orderId)).status).toBe(200);
    expect(await paymentStatus(paymentId)).toBe("completed");
    expect(await credits(user)).toBe(start + 50);
    expect(await ledgerRows(user.id, "purchase")).toEqual({ n: 1, total: 50 });
    expect(await receipts(paymentId)).toBe(1);
  });

  it("a declined capture fails the payment and grants nothing", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user, "pro");
    standIn.captureOutcome(orderId, "DECLINED");
    const res = await capture(user, orderId);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { payment: { status: string } }).payment.status).toBe("failed");
    const declined = captureOf(standIn, orderId);
    expect(declined.status).toBe("DECLINED");
    expect(
      await outcome(
        await deliverWebhook(standIn, standIn.event("PAYMENT.CAPTURE.DENIED", "capture", declined)),
      ),
    ).toBe("failed");
    expect(await paymentStatus(paymentId)).toBe("failed");
    expect(await credits(user)).toBe(start);
    expect(await ledgerRows(user.id, "purchase")).toEqual({ n: 0, total: 0 });
    expect(await receipts(paymentId)).toBe(0);
  });

  it("a pending capture PayPal then denies fails the payment (PAYMENT.CAPTURE.DENIED), with no credits", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user);
    standIn.captureOutcome(orderId, "PENDING");
    expect((await capture(user, orderId)).status).toBe(200);
    const denied = standIn.settleCapture(captureOf(standIn, orderId).id, "DECLINED");
    expect(denied).toMatchObject({
      status: "DECLINED",
      status_details: { reason: "DECLINED_BY_RISK_FRAUD_FILTERS" },
    });
    expect(
      await outcome(
        await deliverWebhook(standIn, standIn.event("PAYMENT.CAPTURE.DENIED", "capture", denied)),
      ),
    ).toBe("failed");
    expect(await paymentStatus(paymentId)).toBe("failed");
    // Asking again reads the denied capture back from PayPal: still failed, still nothing granted.
    expect((await capture(user, orderId)).status).toBe(200);
    expect(await paymentStatus(paymentId)).toBe("failed");
    expect(await credits(user)).toBe(start);
    expect(await receipts(paymentId)).toBe(0);
  });
});

describe("webhook verification", () => {
  async function completedEvent() {
    const user = await newUser();
    const { orderId } = await approvedOrder(standIn, user);
    return {
      user,
      event: standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", standIn.captureNow(orderId)!),
      start: await credits(user),
    };
  }

  it("a forged signature, a body changed after signing, a wrong cert URL or missing headers: 400, nothing changes", async () => {
    const { user, event, start } = await completedEvent();
    await expectProblem(
      await deliverWebhook(standIn, event, { headers: { "paypal-transmission-sig": "Zm9yZ2Vk" } }),
      400,
      "webhook_unverified",
    );
    await expectProblem(
      await deliverWebhook(standIn, event, {
        headers: { "paypal-cert-url": "https://evil.example/cert.pem" },
      }),
      400,
      "webhook_unverified",
    );
    // Signed for one body, sent with another.
    const body = JSON.stringify(event);
    const headers = await standIn.sign(body);
    const tampered = JSON.stringify({
      ...event,
      resource: { ...event.resource, amount: { currency_code: "USD", value: "5.00" } },
      summary: "x",
    });
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(
      new Request("http://localhost:8787/api/v1/billing/paypal/webhook", {
        method: "POST",
        headers,
        body: tampered,
      }),
    );
    await expectProblem(res, 400, "webhook_unverified");
    await expectProblem(
      await exports.default.fetch(
        new Request("http://localhost:8787/api/v1/billing/paypal/webhook", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }),
      ),
      400,
      "webhook_unverified",
    );
    expect(await credits(user)).toBe(start);
    const recorded = await env.DB.prepare(
      "SELECT count(*) AS n FROM paypal_webhook_events WHERE event_id = ?",
    )
      .bind(event.id)
      .first<{ n: number }>();
    expect(recorded?.n).toBe(0);
  });

  it("a replayed transmission (same id, even concurrently) or a stale one is 400 and changes nothing", async () => {
    const { user, event, start } = await completedEvent();
    const transmissionId = crypto.randomUUID();
    const first = await deliverWebhook(standIn, event, { transmissionId });
    expect(first.status).toBe(200);
    expect(await credits(user)).toBe(start + 50);
    await expectProblem(await deliverWebhook(standIn, event, { transmissionId }), 400, "webhook_replayed");

    const refund = standIn.refundResource(
      String(event.resource.id),
      { currency_code: "USD", value: "5.00" },
      `RF${crypto.randomUUID().slice(0, 8)}`,
    );
    const refundEvent = standIn.event("PAYMENT.CAPTURE.REFUNDED", "refund", refund);
    const stale = new Date(Date.now() - 10 * 60_000).toISOString();
    await expectProblem(
      await deliverWebhook(standIn, refundEvent, { transmissionTime: stale }),
      400,
      "webhook_replayed",
    );
    const sameId = crypto.randomUUID();
    const racing = await Promise.all(
      [1, 2, 3].map(() => deliverWebhook(standIn, refundEvent, { transmissionId: sameId })),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    expect(await credits(user)).toBe(start);
  });
});

describe("refunds and reversals", () => {
  async function paid(pack = "starter") {
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user, pack);
    expect((await capture(user, orderId)).status).toBe(200);
    return { user, start, paymentId, captureId: captureOf(standIn, orderId).id };
  }
  const payment = async (user: Awaited<ReturnType<typeof newUser>>, id: string) =>
    (
      (await (await call("/api/v1/billing/payments", { token: user.accessToken })).json()) as {
        items: { id: string; status: string; refunded: string }[];
      }
    ).items.find((p) => p.id === id)!;

  it("a refund webhook debits once, however often and concurrently it arrives", async () => {
    const { user, start, paymentId, captureId } = await paid();
    const event = standIn.event(
      "PAYMENT.CAPTURE.REFUNDED",
      "refund",
      standIn.refundResource(captureId, { currency_code: "USD", value: "5.00" }, "RFONCE1"),
    );
    const answers = await Promise.all([
      deliverWebhook(standIn, event),
      deliverWebhook(standIn, event),
      deliverWebhook(standIn, event),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await deliverWebhook(standIn, event).then((r) => r.status)).toBe(200);
    expect(await credits(user)).toBe(start);
    expect(await ledgerRows(user.id, "refund")).toEqual({ n: 1, total: -50 });
    expect(await payment(user, paymentId)).toMatchObject({ status: "refunded", refunded: "5.00" });
  });

  it("partial refunds debit their share; the one completing the amount takes the rest — never more than granted", async () => {
    const { user, start, paymentId, captureId } = await paid("standard"); // 200 credits for 18.00
    const part = (id: string, value: string) =>
      deliverWebhook(
        standIn,
        standIn.event(
          "PAYMENT.CAPTURE.REFUNDED",
          "refund",
          standIn.refundResource(captureId, { currency_code: "USD", value }, id),
        ),
      );
    await part("RFPART1", "5.00"); // 200 × 5/18 = 55.5 → 55
    expect(await credits(user)).toBe(start + 200 - 55);
    expect(await payment(user, paymentId)).toMatchObject({ status: "partially_refunded", refunded: "5.00" });
    await part("RFPART2", "13.00"); // completes 18.00: the remaining 145
    expect(await credits(user)).toBe(start);
    expect(await payment(user, paymentId)).toMatchObject({ status: "refunded", refunded: "18.00" });
  });

  it("a reversal (refund-shaped or capture-shaped) debits once and marks the payment reversed", async () => {
    const a = await paid();
    await deliverWebhook(
      standIn,
      standIn.event(
        "PAYMENT.CAPTURE.REVERSED",
        "refund",
        standIn.refundResource(a.captureId, { currency_code: "USD", value: "5.00" }, "RVREF1"),
      ),
    );
    expect(await credits(a.user)).toBe(a.start);
    expect((await payment(a.user, a.paymentId)).status).toBe("reversed");

    const b = await paid();
    const reversedCapture = {
      id: b.captureId,
      status: "REVERSED",
      amount: { currency_code: "USD", value: "5.00" },
    };
    const event = standIn.event("PAYMENT.CAPTURE.REVERSED", "capture", reversedCapture);
    await deliverWebhook(standIn, event);
    await deliverWebhook(standIn, event);
    expect(await credits(b.user)).toBe(b.start);
    expect(await ledgerRows(b.user.id, "refund")).toEqual({ n: 1, total: -50 });
  });

  it("a refund reported before its capture is debited when the capture arrives", async () => {
    const user = await newUser();
    const start = await credits(user);
    const { orderId } = await approvedOrder(standIn, user);
    const captured = standIn.captureNow(orderId)!;
    const refund = standIn.event(
      "PAYMENT.CAPTURE.REFUNDED",
      "refund",
      standIn.refundResource(captured.id, { currency_code: "USD", value: "5.00" }, "RFEARLY1"),
    );
    expect((await deliverWebhook(standIn, refund)).status).toBe(200);
    expect(await credits(user)).toBe(start);
    await deliverWebhook(standIn, standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", captured));
    expect((await capture(user, orderId)).status).toBe(200);
    expect(await credits(user)).toBe(start);
    expect(await ledgerRows(user.id, "purchase")).toEqual({ n: 1, total: 50 });
    expect(await ledgerRows(user.id, "refund")).toEqual({ n: 1, total: -50 });
  });
});
