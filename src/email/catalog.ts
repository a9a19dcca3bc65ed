import { eq } from "drizzle-orm";
import { TOKEN_TTL_SECONDS, type TokenPurpose, tokenFor } from "../auth/email-tokens";
import { alertEvents, alertRules } from "../db/alerts-schema";
import { payments } from "../db/billing-schema";
import type { Db } from "../db/client";
import { jobs } from "../db/jobs-schema";
import { users } from "../db/schema";
import { userTokens } from "../db/security-schema";
import { formatMoney } from "../lib/money";
import { type RenderedMail, templates } from "./templates";

/** What a mail topic's composer may use. */
export interface ComposeContext {
  db: Db;
  /** Derives token links; the same AUTH_SECRET the API uses. */
  secret: string;
  /** The web app's origin, for links. */
  appOrigin: string;
}

export interface ComposedMail extends RenderedMail {
  to: string;
}

type Payload = Record<string, unknown>;
/** Turns an outbox event into a mail, or null when there is nothing (any more) to send. */
type Composer = (payload: Payload, ctx: ComposeContext) => Promise<ComposedMail | null>;

async function recipient(db: Db, by: { userId?: unknown; email?: unknown }) {
  if (typeof by.userId === "string") {
    return db
      .select({ email: users.email, name: users.name })
      .from(users)
      .where(eq(users.id, by.userId))
      .get();
  }
  if (typeof by.email === "string") {
    return db
      .select({ email: users.email, name: users.name })
      .from(users)
      .where(eq(users.email, by.email))
      .get();
  }
  return undefined;
}

const str = (v: unknown, fallback = "") => (typeof v === "string" ? v : fallback);
const isoMinute = (v: unknown) => str(v).slice(0, 16).replace("T", " ");

/** A composer for mail to a user (by `userId`, else `email`), with the rest of the payload as data. */
function toUser(
  build: (user: { name: string | null }, p: Payload, ctx: ComposeContext) => Promise<RenderedMail | null>,
): Composer {
  return async (payload, ctx) => {
    const user = await recipient(ctx.db, payload);
    if (!user) return null;
    const mail = await build(user, payload, ctx);
    return mail && { to: user.email, ...mail };
  };
}

async function tokenLink(ctx: ComposeContext, purpose: TokenPurpose, tokenId: unknown, path: string) {
  const token = await tokenFor(ctx.secret, purpose, str(tokenId));
  return `${ctx.appOrigin}${path}?token=${encodeURIComponent(token)}`;
}

async function alertMail(payload: Payload, ctx: ComposeContext): Promise<ComposedMail | null> {
  const event = await ctx.db
    .select()
    .from(alertEvents)
    .where(eq(alertEvents.id, str(payload.alertEventId)))
    .get();
  const rule = event
    ? await ctx.db.select().from(alertRules).where(eq(alertRules.id, event.ruleId)).get()
    : undefined;
  if (!event || !rule?.email) return null;
  const figure = (n: number) => String(Math.round(n * 100) / 100);
  return {
    to: rule.email,
    ...templates.alert(
      { name: null },
      {
        kind: event.kind,
        rule: event.ruleName,
        signal: event.signal,
        value: figure(event.value),
        threshold: figure(event.threshold),
        at: isoMinute(event.at),
        link: `${ctx.appOrigin}/admin`,
      },
    ),
  };
}

/**
 * Outbox topics that produce mail, and how. The mail consumer and relay look topics up here; the
 * features write plain outbox events and never call the mailer.
 */
export const MAIL_TOPICS: Record<string, Composer> = {
  "account.verify_email": toUser(async (u, p, ctx) =>
    templates.verifyEmail(u, {
      link: await tokenLink(ctx, "verify_email", p.tokenId, "/verify-email"),
      hours: TOKEN_TTL_SECONDS.verify_email / 3600,
    }),
  ),
  "account.registration_attempt_existing": toUser(async (u, _p, ctx) =>
    templates.accountExists(u, {
      signInLink: `${ctx.appOrigin}/signin`,
      resetLink: `${ctx.appOrigin}/forgot-password`,
    }),
  ),
  // The payload names only the token; its owner is the recipient. A token without one (the address
  // has no enabled account) is not mailed.
  "account.password_reset": async (payload, ctx) => {
    const token = await ctx.db
      .select({ userId: userTokens.userId })
      .from(userTokens)
      .where(eq(userTokens.id, str(payload.tokenId)))
      .get();
    if (!token?.userId) return null;
    const user = await recipient(ctx.db, { userId: token.userId });
    if (!user) return null;
    return {
      to: user.email,
      ...templates.passwordReset(user, {
        link: await tokenLink(ctx, "password_reset", payload.tokenId, "/reset-password"),
        minutes: TOKEN_TTL_SECONDS.password_reset / 60,
      }),
    };
  },
  "account.password_changed": toUser(async (u, p, ctx) =>
    templates.passwordChanged(u, { at: isoMinute(p.at), resetLink: `${ctx.appOrigin}/forgot-password` }),
  ),
  "account.new_sign_in": toUser(async (u, p, ctx) =>
    templates.newSignIn(u, {
      at: isoMinute(p.at),
      ip: str(p.ip, "unknown"),
      device: str(p.userAgent, "unknown").slice(0, 120),
      sessionsLink: `${ctx.appOrigin}/account`,
    }),
  ),
  "account.2fa_enabled": toUser(async (u, p) => templates.twoFactorEnabled(u, { at: isoMinute(p.at) })),
  "account.2fa_disabled": toUser(async (u, p) => templates.twoFactorDisabled(u, { at: isoMinute(p.at) })),
  // The payload names only the payment; the buyer is its owner.
  "billing.receipt": async (payload, ctx) => {
    const payment = await ctx.db
      .select()
      .from(payments)
      .where(eq(payments.id, str(payload.paymentId)))
      .get();
    if (!payment?.captureId) return null;
    const user = await recipient(ctx.db, { userId: payment.userId });
    if (!user) return null;
    return {
      to: user.email,
      ...templates.receipt(user, {
        paymentId: payment.id,
        pack: payment.packId,
        credits: payment.credits,
        amount: formatMoney(payment.amountCents, payment.currency),
        date: isoMinute(payment.capturedAt),
        captureId: payment.captureId,
        link: `${ctx.appOrigin}/api/v1/billing/payments/${payment.id}/receipt`,
      }),
    };
  },
  // Written by the job engine for every failure; only a top-level job that really ended failed is mailed.
  "job.failed": async (payload, ctx) => {
    const job = await ctx.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, str(payload.jobId)))
      .get();
    if (job?.status !== "failed" || job.parentId) return null;
    const user = await recipient(ctx.db, { userId: job.userId });
    if (!user) return null;
    return {
      to: user.email,
      ...templates.jobFailed(user, {
        jobId: job.id,
        type: job.type,
        reason: job.errorMessage ?? job.errorCode ?? "unknown error",
        link: `${ctx.appOrigin}/jobs`,
      }),
    };
  },
  // An alert rule's transition (src/alerts): mailed to the address the rule names, if it names one.
  "alert.fired": alertMail,
  "alert.resolved": alertMail,
  // Written in the batch that disables the endpoint (src/webhooks/consumer.ts); the owner is mailed.
  "webhook.disabled": async (payload, ctx) => {
    const user = await recipient(ctx.db, { userId: payload.ownerId });
    if (!user) return null;
    return {
      to: user.email,
      ...templates.webhookDisabled(user, {
        url: str(payload.url),
        reason: str(payload.reason, "its deliveries kept failing"),
        link: `${ctx.appOrigin}/account`,
      }),
    };
  },
  "credits.low": toUser(async (u, p, ctx) =>
    templates.lowCredits(u, { balance: Number(p.balance) || 0, link: `${ctx.appOrigin}/account/billing` }),
  ),
};

export function isMailTopic(topic: string): boolean {
  return Object.hasOwn(MAIL_TOPICS, topic);
}
