import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { relayMail } from "../../src/email/outbox";
import { requeueStrandedDeliveries } from "../../src/webhooks/relay";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { mailTo, waitForMail } from "../helpers/mail";
import { uploadOk } from "../media/helpers";
import { followUp, organize } from "../organize/helpers";

/**
 * Webhooks end to end: real deliveries to a real HTTP server (test/servers/webhook-receiver.ts,
 * started by vitest.config.ts), verified with the Standard Webhooks library; retries, the delivery
 * log, resend, disabling after failures, and the URL policy.
 */
const receiver = env.TEST_WEBHOOK_RECEIVER;

interface Received {
  headers: Record<string, string>;
  body: string;
}

async function received(box: string): Promise<Received[]> {
  return (await fetch(`${receiver}/boxes/${box}`)).json<Received[]>();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const arrivals = (box: string, n: number) =>
  waitFor(`${n} deliveries in ${box}`, async () => {
    const list = await received(box);
    return list.length >= n ? list : undefined;
  });

async function register(user: TestUser, box: string, events: string[]) {
  const res = await call("/api/v1/webhooks", {
    method: "POST",
    token: user.accessToken,
    json: { url: `${receiver}/hooks/${box}`, events },
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as { webhook: { id: string; status: string }; secret: string };
}

interface DeliveryJson {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  durationMs: number | null;
  lastError: string | null;
}

async function deliveries(user: TestUser, webhookId: string): Promise<DeliveryJson[]> {
  const res = await call(`/api/v1/webhooks/${webhookId}/deliveries`, { token: user.accessToken });
  expect(res.status).toBe(200);
  return (await res.json<{ items: DeliveryJson[] }>()).items;
}

const settled = (user: TestUser, webhookId: string, n: number) =>
  waitFor(`${n} settled deliveries`, async () => {
    const list = await deliveries(user, webhookId);
    return list.length >= n && list.every((d) => d.status === "succeeded" || d.status === "failed")
      ? list
      : undefined;
  });

const setBox = (box: string, status: number) =>
  fetch(`${receiver}/boxes/${box}`, { method: "PUT", body: JSON.stringify({ status }) });

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser();
});

describe("registering endpoints", () => {
  it("answers 201 with the secret once; lists never show it, and D1 holds it sealed", async () => {
    const { webhook, secret } = await register(owner, "reg", ["media.uploaded"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(webhook).toMatchObject({ status: "enabled", consecutiveFailures: 0 });
    const list = await call("/api/v1/webhooks", { token: owner.accessToken });
    const text = await list.text();
    expect(text).toContain(webhook.id);
    expect(text).not.toContain(secret.slice(6));
    const row = await env.DB.prepare("SELECT secret_sealed FROM webhook_endpoints WHERE id = ?")
      .bind(webhook.id)
      .first<{ secret_sealed: string }>();
    expect(row!.secret_sealed).toMatch(/^v1\./);
    expect(row!.secret_sealed).not.toContain(secret.slice(6));
  });

  it("refuses unknown events, odd schemes and other users' endpoints", async () => {
    const bad = (json: unknown) =>
      call("/api/v1/webhooks", { method: "POST", token: owner.accessToken, json });
    await expectProblem(await bad({ url: `${receiver}/hooks/x`, events: ["media.exploded"] }), 422);
    for (const url of [
      "ftp://example.com/x",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "https://u:p@example.com/",
    ])
      await expectProblem(await bad({ url, events: ["media.uploaded"] }), 422, "webhook_url_refused");
    const { webhook } = await register(owner, "mine", ["media.uploaded"]);
    const other = await newUser();
    await expectProblem(await call(`/api/v1/webhooks/${webhook.id}`, { token: other.accessToken }), 404);
    await expectProblem(
      await call(`/api/v1/webhooks/${webhook.id}`, { method: "DELETE", token: other.accessToken }),
      404,
    );
    const res = await call(`/api/v1/webhooks/${webhook.id}`, { method: "DELETE", token: owner.accessToken });
    expect(res.status).toBe(204);
  });
});

describe("deliveries", () => {
  it("sends media.uploaded, signed per Standard Webhooks, and logs it", async () => {
    const user = await newUser();
    const { webhook, secret } = await register(user, "uploads", ["media.uploaded"]);
    const media = await uploadOk(user, "hello webhooks", "hello.txt");
    const [got] = await arrivals("uploads", 1);
    const payload = new Webhook(secret).verify(got!.body, got!.headers) as {
      type: string;
      timestamp: string;
      data: { media: { id: string; name: string } };
    };
    expect(payload.type).toBe("media.uploaded");
    expect(payload.data.media).toMatchObject({ id: media.id, name: "hello.txt" });
    // A wrong secret or a changed body does not verify.
    expect(() =>
      new Webhook(`whsec_${btoa("not the secret at all!!!")}`).verify(got!.body, got!.headers),
    ).toThrow();
    expect(() => new Webhook(secret).verify(got!.body.replace("hello", "HELLO"), got!.headers)).toThrow();

    const [log] = await settled(user, webhook.id, 1);
    expect(log).toMatchObject({
      eventType: "media.uploaded",
      status: "succeeded",
      attempts: 1,
      responseStatus: 204,
    });
    expect(log!.eventId).toBe(got!.headers["webhook-id"]);
    expect(log!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sends job.succeeded and organize.applied / organize.rolled_back for an organize run", async () => {
    const user = await newUser();
    const { secret } = await register(user, "organize", [
      "job.succeeded",
      "organize.applied",
      "organize.rolled_back",
    ]);
    await uploadOk(user, "a note", "note.txt");
    const plan = await organize(user, { dryRun: true });
    await followUp(user, plan.id, "apply");
    await followUp(user, plan.id, "rollback");
    const types = await waitFor("organize events", async () => {
      const list = await received("organize");
      const seen = list.map((r) => (new Webhook(secret).verify(r.body, r.headers) as { type: string }).type);
      // Deliveries of one relay round arrive in any order: wait for all of them.
      const jobs = seen.filter((t) => t === "job.succeeded").length;
      return seen.includes("organize.applied") && seen.includes("organize.rolled_back") && jobs >= 3
        ? seen
        : undefined;
    });
    expect(types.filter((t) => t === "job.succeeded").length).toBeGreaterThanOrEqual(3);
    // No media.uploaded: the endpoint did not subscribe to it.
    expect(types).not.toContain("media.uploaded");
  });

  it("retries a failing endpoint with the same webhook-id, fails it for good, disables the endpoint after two such deliveries, and resends", async () => {
    const user = await newUser();
    await setBox("failing", 500);
    const { webhook, secret } = await register(user, "failing", ["media.uploaded"]);
    await uploadOk(user, "first", "first.txt");
    const [first] = await settled(user, webhook.id, 1);
    // WEBHOOK_RETRY_SCHEDULE "0,0" in the tests: three attempts, every one refused.
    expect(first).toMatchObject({ status: "failed", attempts: 3, responseStatus: 500 });
    expect(first!.lastError).toContain("HTTP 500");
    const tries = await received("failing");
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers["webhook-id"])).size).toBe(1);
    for (const t of tries) new Webhook(secret).verify(t.body, t.headers);

    let state = await call(`/api/v1/webhooks/${webhook.id}`, { token: user.accessToken });
    expect(await state.json()).toMatchObject({ webhook: { status: "enabled", consecutiveFailures: 1 } });

    await uploadOk(user, "second", "second.txt");
    await settled(user, webhook.id, 2);
    state = await call(`/api/v1/webhooks/${webhook.id}`, { token: user.accessToken });
    const disabled = (await state.json<{ webhook: { status: string; disabledReason: string } }>()).webhook;
    expect(disabled.status).toBe("disabled");
    expect(disabled.disabledReason).toContain("2 deliveries in a row failed");
    const mail = await env.DB.prepare("SELECT payload FROM outbox WHERE topic = 'webhook.disabled'").all<{
      payload: string;
    }>();
    expect(mail.results.filter((r) => JSON.parse(r.payload).endpointId === webhook.id)).toHaveLength(1);
    // The owner is mailed once, right away (not only by the scheduled relay), and a later relay adds nothing.
    const sent = await waitForMail(user.email, /webhook endpoint was disabled/);
    expect(sent.topic).toBe("webhook.disabled");
    expect(sent.text).toContain(`${receiver}/hooks/failing`);
    expect(sent.text).toContain("2 deliveries in a row failed");
    await relayMail(env, new Date(Date.now() + 2 * 60_000));

    // A disabled endpoint gets nothing new.
    await uploadOk(user, "third", "third.txt");
    await new Promise((r) => setTimeout(r, 300));
    expect(await received("failing")).toHaveLength(6);
    const disabledMails = (await mailTo(user.email)).filter((m) => m.topic === "webhook.disabled");
    expect(disabledMails).toHaveLength(1);

    // Fixed on the receiver's side: enable, resend the first delivery — same id and bytes.
    await setBox("failing", 200);
    const enable = await call(`/api/v1/webhooks/${webhook.id}`, {
      method: "PATCH",
      token: user.accessToken,
      json: { enabled: true },
    });
    expect(enable.status).toBe(200);
    const resend = await call(`/api/v1/webhooks/${webhook.id}/deliveries/${first!.id}/resend`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(resend.status, await resend.clone().text()).toBe(202);
    const all = await arrivals("failing", 7);
    expect(all[6]!.headers["webhook-id"]).toBe(first!.eventId);
    expect(all[6]!.body).toBe(tries[0]!.body);
    const after = await waitFor("the resend to succeed", async () => {
      const d = (await deliveries(user, webhook.id)).find((x) => x.id === first!.id);
      return d?.status === "succeeded" ? d : undefined;
    });
    expect(after).toMatchObject({ attempts: 1, responseStatus: 200 });
  });

  it("the scheduled sweep sends a delivery whose sender died mid-attempt (lease run out), once", async () => {
    const user = await newUser();
    const { webhook, secret } = await register(user, "sweep", ["media.uploaded"]);
    const past = new Date(Date.now() - 10 * 60_000).toISOString();
    const body = JSON.stringify({
      type: "media.uploaded",
      timestamp: past,
      data: { media: { id: "med_x" } },
    });
    await env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, lease_until, created_at, updated_at) VALUES ('whd_sweep1', ?, 'evt_sweep1', 'media.uploaded', ?, 'sending', 1, ?, ?, ?)",
    )
      .bind(webhook.id, body, past, past, past)
      .run();
    const db = getDb(env.DB);
    expect(await requeueStrandedDeliveries(db, env.WEBHOOK_QUEUE, new Date())).toBeGreaterThanOrEqual(1);
    const [got] = await arrivals("sweep", 1);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toMatchObject({ type: "media.uploaded" });
    expect(got!.headers["webhook-id"]).toBe("evt_sweep1");
    const [log] = await settled(user, webhook.id, 1);
    expect(log).toMatchObject({ status: "succeeded", attempts: 2 });
    // Settled: the next sweep finds nothing of it to send.
    await requeueStrandedDeliveries(db, env.WEBHOOK_QUEUE, new Date());
    await new Promise((r) => setTimeout(r, 300));
    expect(await received("sweep")).toHaveLength(1);
  });
});
