import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import {
  approvedOrder,
  capture,
  captureOf,
  credits,
  deliverWebhook,
  installPayPalStandIn,
} from "../helpers/paypal";

const standIn = installPayPalStandIn();

const audit = (targetId: string) =>
  env.DB.prepare("SELECT actor_id, action, detail FROM audit_log WHERE target_id = ? ORDER BY created_at")
    .bind(targetId)
    .all<{ actor_id: string; action: string; detail: string }>()
    .then((r) => r.results);

describe("admin: payments, refunds, credits, quota", () => {
  it("lists every payment; refunds one through PayPal, debiting once even when the refund webhook follows", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const start = await credits(user);
    const { orderId, paymentId } = await approvedOrder(standIn, user);
    expect((await capture(user, orderId)).status).toBe(200);

    const list = (await (
      await call(`/api/v1/admin/payments?userId=${user.id}`, { token: admin.accessToken })
    ).json()) as {
      items: { id: string; userId: string; status: string }[];
    };
    expect(list.items).toEqual([
      expect.objectContaining({ id: paymentId, userId: user.id, status: "completed" }),
    ]);

    const res = await call(`/api/v1/admin/payments/${paymentId}/refund`, {
      method: "POST",
      token: admin.accessToken,
      json: { reason: "customer asked within 14 days" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { payment: { status: string } }).payment.status).toBe("refunded");
    expect(await credits(user)).toBe(start);

    // PayPal's own PAYMENT.CAPTURE.REFUNDED for the same refund changes nothing more.
    const captureId = captureOf(standIn, orderId).id;
    const refundId = (await env.DB.prepare("SELECT refund_id FROM payment_refunds WHERE capture_id = ?")
      .bind(captureId)
      .first<{ refund_id: string }>())!.refund_id;
    await deliverWebhook(
      standIn,
      standIn.event(
        "PAYMENT.CAPTURE.REFUNDED",
        "refund",
        standIn.refundResource(captureId, { currency_code: "USD", value: "5.00" }, refundId),
      ),
    );
    expect(await credits(user)).toBe(start);
    expect((await audit(paymentId))[0]).toMatchObject({
      actor_id: admin.id,
      action: "admin.payment_refunded",
    });
    expect(JSON.parse((await audit(paymentId))[0]!.detail).reason).toBe("customer asked within 14 days");

    await expectProblem(
      await call(`/api/v1/admin/payments/${paymentId}/refund`, {
        method: "POST",
        token: admin.accessToken,
        json: { reason: "again please" },
      }),
      409,
      "not_refundable",
    );
  });

  it("grants and revokes credits through the ledger with a reason in the audit log", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const start = await credits(user);
    const grant = await call(`/api/v1/admin/users/${user.id}/credits`, {
      method: "POST",
      token: admin.accessToken,
      json: { amount: 25, reason: "goodwill for the outage" },
    });
    expect(await grant.json()).toMatchObject({ credits: start + 25 });
    await call(`/api/v1/admin/users/${user.id}/credits`, {
      method: "POST",
      token: admin.accessToken,
      json: { amount: -10, reason: "duplicate grant" },
    });
    expect(await credits(user)).toBe(start + 15);
    const rows = await audit(user.id);
    expect(rows.map((r) => r.action)).toEqual(["admin.credits_granted", "admin.credits_revoked"]);
    expect(rows.map((r) => JSON.parse(r.detail).reason)).toEqual([
      "goodwill for the outage",
      "duplicate grant",
    ]);
    await expectProblem(
      await call(`/api/v1/admin/users/${user.id}/credits`, {
        method: "POST",
        token: admin.accessToken,
        json: { amount: 5 },
      }),
      422,
    );
    await expectProblem(
      await call("/api/v1/admin/users/usr_nobody/credits", {
        method: "POST",
        token: admin.accessToken,
        json: { amount: 5, reason: "nobody" },
      }),
      404,
    );
  });

  it("changes a quota with a reason; refuses one below current use", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const res = await call(`/api/v1/admin/users/${user.id}/quota`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { bytes: 1_000_000, files: 10, reason: "trial account" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { user: { quotaBytes: number } }).user.quotaBytes).toBe(1_000_000);
    const row = (await audit(user.id)).find((r) => r.action === "admin.quota_changed")!;
    expect(JSON.parse(row.detail)).toMatchObject({
      reason: "trial account",
      after: { bytes: 1_000_000, files: 10 },
    });

    await env.DB.prepare("UPDATE users SET used_bytes = 500000 WHERE id = ?").bind(user.id).run();
    await expectProblem(
      await call(`/api/v1/admin/users/${user.id}/quota`, {
        method: "PATCH",
        token: admin.accessToken,
        json: { bytes: 1000, reason: "shrink" },
      }),
      409,
      "quota_below_usage",
    );
  });

  it("users and admin-less API keys get 403 on every admin billing route", async () => {
    const user = await newUser();
    const admin = await newUser({ role: "admin" });
    const key = (await (
      await call("/api/v1/api-keys", {
        method: "POST",
        token: admin.accessToken,
        json: { name: "k", scopes: ["account:read"] },
      })
    ).json()) as { secret: string };
    for (const token of [user.accessToken, key.secret]) {
      await expectProblem(await call("/api/v1/admin/payments", { token }), 403);
      await expectProblem(
        await call(`/api/v1/admin/users/${user.id}/credits`, {
          method: "POST",
          token,
          json: { amount: 5, reason: "self-serve" },
        }),
        403,
      );
      await expectProblem(
        await call(`/api/v1/admin/users/${user.id}/quota`, {
          method: "PATCH",
          token,
          json: { bytes: 5, reason: "self-serve" },
        }),
        403,
      );
      await expectProblem(
        await call("/api/v1/admin/payments/pay_x/refund", {
          method: "POST",
          token,
          json: { reason: "self-serve" },
        }),
        403,
      );
    }
  });
});
