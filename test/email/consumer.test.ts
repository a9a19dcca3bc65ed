import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { handleEmailBatch, handleEmailDeadLetters } from "../../src/email/consumer";
import { templates } from "../../src/email/templates";
import { escapeHtml } from "../../src/lib/html";
import { newUser } from "../helpers/api";
import { mailTo, settledMailCount } from "../helpers/mail";

/**
 * A stand-in for a Resend-style mail API, reached through the HTTP provider's fetch: it records
 * every request, answers with the statuses a test queues up, and (like Resend) refuses to send a
 * second mail for an Idempotency-Key it has seen.
 */
function mailApi(statuses: number[] = []) {
  const requests: { url: string; headers: Headers; body: Record<string, unknown> }[] = [];
  const sentKeys = new Set<string>();
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = (await request.json()) as Record<string, unknown>;
    requests.push({ url: request.url, headers: request.headers, body });
    const status = statuses.shift() ?? 200;
    if (status !== 200) return Response.json({ message: `stand-in says ${status}` }, { status });
    const key = request.headers.get("idempotency-key") ?? crypto.randomUUID();
    const duplicate = sentKeys.has(key);
    sentKeys.add(key);
    return Response.json({ id: `msg_${key}`, duplicate });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests, sent: () => sentKeys.size };
}

/** The test Worker's env (real bindings) with some vars or bindings replaced. */
const withVars = (vars: Record<string, unknown>) =>
  new Proxy(env, {
    get: (target, key) => (typeof key === "string" && key in vars ? vars[key] : Reflect.get(target, key)),
  }) as Env;

const httpEnv = withVars({
  EMAIL_PROVIDER: "http",
  EMAIL_HTTP_BASE: "https://mail.test/v1",
  EMAIL_HTTP_TOKEN: "mail-token",
});

async function passwordChangedEvent(userId: string): Promise<string> {
  const id = `evt_test_${crypto.randomUUID()}`;
  await env.DB.prepare(
    "INSERT INTO outbox (id, topic, payload, created_at) VALUES (?, 'account.password_changed', ?, ?)",
  )
    .bind(id, JSON.stringify({ userId, at: new Date().toISOString() }), new Date().toISOString())
    .run();
  return id;
}

async function deliver(
  eventId: string,
  targetEnv: Env,
  fetch?: typeof globalThis.fetch,
  queue = "edgecraft-email-dev",
) {
  const batch = createMessageBatch(queue, [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { eventId } },
  ]);
  const ctx = createExecutionContext();
  if (queue.includes("-dlq")) await handleEmailDeadLetters(batch, targetEnv);
  else await handleEmailBatch(batch, targetEnv, { fetch });
  return getQueueResult(batch, ctx);
}

const delivery = (eventId: string) =>
  env.DB.prepare("SELECT * FROM email_deliveries WHERE event_id = ?").bind(eventId).first<{
    status: string;
    attempts: number;
    provider: string;
    provider_message_id: string;
    last_error: string | null;
  }>();

describe("mail consumer", () => {
  it("sends through the HTTP provider with a bearer token and the event id as Idempotency-Key", async () => {
    const user = await newUser();
    const api = mailApi();
    const eventId = await passwordChangedEvent(user.id);
    const result = await deliver(eventId, httpEnv, api.fetch);
    expect(result.explicitAcks).toHaveLength(1);
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req!.url).toBe("https://mail.test/v1/emails");
    expect(req!.headers.get("authorization")).toBe("Bearer mail-token");
    expect(req!.headers.get("idempotency-key")).toBe(eventId);
    expect(req!.body).toMatchObject({ to: [user.email], subject: "Your password was changed" });
    expect(String(req!.body.text)).toContain("/forgot-password");
    expect(String(req!.body.html)).toContain("<p>");
    expect(await delivery(eventId)).toMatchObject({
      status: "sent",
      attempts: 1,
      provider: "http",
      provider_message_id: `msg_${eventId}`,
    });
  });

  it("sends through Cloudflare's send_email binding (workerd's local one), structured from/to/subject/text/html", async () => {
    const user = await newUser();
    const eventId = await passwordChangedEvent(user.id);
    const result = await deliver(eventId, withVars({ EMAIL_PROVIDER: "send_email" }));
    expect(result.explicitAcks).toHaveLength(1);
    const row = await delivery(eventId);
    expect(row).toMatchObject({ status: "sent", attempts: 1, provider: "send_email" });
    // The binding names the message it accepted; its id is the mail's Message-ID.
    expect(row?.provider_message_id).toMatch(/^<[^@\s]+@localhost>$/);
  });

  it("without the SEND_EMAIL binding the send_email provider retries instead of losing the mail", async () => {
    const user = await newUser();
    const eventId = await passwordChangedEvent(user.id);
    const result = await deliver(eventId, withVars({ EMAIL_PROVIDER: "send_email", SEND_EMAIL: undefined }));
    expect(result.retryMessages).toHaveLength(1);
    expect(await delivery(eventId)).toMatchObject({ status: "retry", attempts: 1 });
    expect((await delivery(eventId))?.last_error).toContain("SEND_EMAIL");
  });

  it("a transient provider error retries with backoff; the retry sends once", async () => {
    const user = await newUser();
    const api = mailApi([503]);
    const eventId = await passwordChangedEvent(user.id);
    const first = await deliver(eventId, httpEnv, api.fetch);
    expect(first.retryMessages).toHaveLength(1);
    expect(await delivery(eventId)).toMatchObject({ status: "retry", attempts: 1 });
    expect((await delivery(eventId))?.last_error).toContain("503");
    const second = await deliver(eventId, httpEnv, api.fetch);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await delivery(eventId)).toMatchObject({ status: "sent", attempts: 2 });
    expect(api.sent()).toBe(1);
  });

  it("a permanent provider error (422) fails at once, without a retry", async () => {
    const user = await newUser();
    const api = mailApi([422]);
    const eventId = await passwordChangedEvent(user.id);
    const result = await deliver(eventId, httpEnv, api.fetch);
    expect(result.retryMessages).toHaveLength(0);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await delivery(eventId)).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("a redelivered or concurrently delivered event is sent once", async () => {
    const user = await newUser();
    await settledMailCount(user.email);
    const before = (await mailTo(user.email)).length;
    const eventId = await passwordChangedEvent(user.id);
    await Promise.all([deliver(eventId, env), deliver(eventId, env), deliver(eventId, env)]);
    await deliver(eventId, env);
    expect((await mailTo(user.email)).length).toBe(before + 1);
    expect(await delivery(eventId)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("a sender that died mid-send is taken over once its lease ran out", async () => {
    const user = await newUser();
    const api = mailApi();
    const eventId = await passwordChangedEvent(user.id);
    await env.DB.prepare(
      "INSERT INTO email_deliveries (event_id, topic, status, attempts, lease_until, created_at, updated_at) VALUES (?, 'account.password_changed', 'sending', 1, ?, ?, ?)",
    )
      .bind(
        eventId,
        new Date(Date.now() + 60_000).toISOString(),
        new Date().toISOString(),
        new Date().toISOString(),
      )
      .run();
    // Its lease is live: another delivery leaves it alone.
    await deliver(eventId, httpEnv, api.fetch);
    expect(api.requests).toHaveLength(0);
    await env.DB.prepare("UPDATE email_deliveries SET lease_until = ? WHERE event_id = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), eventId)
      .run();
    await deliver(eventId, httpEnv, api.fetch);
    expect(api.requests).toHaveLength(1);
    expect(await delivery(eventId)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("the dead-letter queue marks a mail that ran out of retries as failed", async () => {
    const user = await newUser();
    const eventId = await passwordChangedEvent(user.id);
    await deliver(eventId, httpEnv, mailApi([500]).fetch);
    expect((await delivery(eventId))?.status).toBe("retry");
    const dead = await deliver(eventId, env, undefined, "edgecraft-email-dlq-dev");
    expect(dead.explicitAcks).toHaveLength(1);
    expect((await delivery(eventId))?.status).toBe("failed");
  });

  it("acks messages for events that do not exist or produce no mail", async () => {
    const result = await deliver("evt_never_written", env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await delivery("evt_never_written")).toBeNull();
  });
});

describe("templates", () => {
  it("escape every value in the HTML part and keep it in the text part", () => {
    const name = `<script>alert("x")</script> & co`;
    const mail = templates.receipt(
      { name },
      {
        paymentId: "pay_1",
        pack: "<b>pro</b>",
        credits: 1000,
        amount: "80.00 USD",
        date: "2026-01-01 10:00",
        captureId: "CAP1",
        link: 'https://e.x/?a=1&b="2"',
      },
    );
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<b>pro</b>");
    expect(mail.html).toContain(escapeHtml(name));
    expect(mail.html).toContain("&amp;b=&quot;2&quot;");
    expect(mail.text).toContain(name);
    expect(mail.text).toContain("<b>pro</b>");
  });

  it("every template has a subject, text and HTML", () => {
    const r = { name: null };
    const all = [
      templates.verifyEmail(r, { link: "l", hours: 24 }),
      templates.accountExists(r, { signInLink: "s", resetLink: "r" }),
      templates.passwordReset(r, { link: "l", minutes: 30 }),
      templates.passwordChanged(r, { at: "t", resetLink: "r" }),
      templates.newSignIn(r, { at: "t", ip: "1.2.3.4", device: "d", sessionsLink: "s" }),
      templates.twoFactorEnabled(r, { at: "t" }),
      templates.twoFactorDisabled(r, { at: "t" }),
      templates.receipt(r, {
        paymentId: "p",
        pack: "p",
        credits: 1,
        amount: "1.00 USD",
        date: "d",
        captureId: "c",
        link: "l",
      }),
      templates.jobFailed(r, { jobId: "j", type: "vectorize", reason: "bad", link: "l" }),
      templates.lowCredits(r, { balance: 3, link: "l" }),
    ];
    for (const mail of all) {
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.text).toContain("Hello,");
      expect(mail.html).toMatch(/^<!doctype html>.*<\/html>$/s);
    }
  });
});
