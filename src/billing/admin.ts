import { and, eq, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import { payments } from "../db/billing-schema";
import { type Db, isConstraintError, rawInBatch } from "../db/client";
import { creditLedger, users } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { refundStatements } from "./ledger";
import { type PayPalClient, PayPalError } from "./paypal";

/**
 * An admin's money and quota powers. Each change and its audit row (actor, subject, target, reason,
 * request) are one batch, so the audit trail can't miss one.
 */

const NO_SUCH_USER = "no-such-user";

/**
 * Refunds a captured payment in full through PayPal, then records and debits the refund as the
 * webhook would (whichever comes first applies it; the other is a no-op).
 */
export async function refundPayment(
  deps: { db: Db; paypal: PayPalClient; now: Date },
  audit: AuditContext,
  paymentId: string,
  reason: string,
) {
  const { db } = deps;
  const payment = await db.select().from(payments).where(eq(payments.id, paymentId)).get();
  if (!payment) throw notFound("payment");
  if (!payment.captureId || !["completed", "partially_refunded"].includes(payment.status)) {
    throw new ApiError(409, "not_refundable", `A ${payment.status} payment can't be refunded.`);
  }
  const refund = await deps.paypal.refundCapture(payment.captureId, `refund-${payment.id}`).catch((error) => {
    if (error instanceof PayPalError) {
      throw new ApiError(
        502,
        "paypal_error",
        `PayPal refused the refund${error.issue ? ` (${error.issue})` : ""}.`,
      );
    }
    throw error;
  });
  const nowIso = deps.now.toISOString();
  await db.batch([
    auditStatement(
      db,
      audit,
      {
        action: "admin.payment_refunded",
        subjectId: payment.userId,
        targetType: "payment",
        targetId: payment.id,
        detail: { reason, refundId: refund.id },
      },
      nowIso,
    ),
    ...refundStatements(
      db,
      {
        refundId: refund.id,
        captureId: payment.captureId,
        kind: "refund",
        amountCents: refund.amountCents ?? payment.amountCents - payment.refundedCents,
        currency: refund.currency ?? payment.currency,
      },
      nowIso,
    ),
  ]);
  return (await db.select().from(payments).where(eq(payments.id, paymentId)).get())!;
}

/** Grants (amount > 0) or revokes (amount < 0) credits through the ledger, with a reason. */
export async function adjustCredits(
  db: Db,
  audit: AuditContext,
  userId: string,
  amount: number,
  reason: string,
  now: Date,
) {
  const nowIso = now.toISOString();
  const id = newId("adj");
  try {
    await db.batch([
      rawInBatch(
        db,
        sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
          SELECT ${newId("crd")}, id, 'adjust', ${amount}, ${id}, ${reason.slice(0, 200)}, ${nowIso} FROM users WHERE id = ${userId}`,
      ),
      abortUnless(db, NO_SUCH_USER, previousChangedOneRow),
      auditStatement(
        db,
        audit,
        {
          action: amount > 0 ? "admin.credits_granted" : "admin.credits_revoked",
          subjectId: userId,
          targetType: "user",
          targetId: userId,
          detail: { amount, reason, adjustmentId: id },
        },
        nowIso,
      ),
    ]);
  } catch (error) {
    if (isBatchAbort(error, NO_SUCH_USER)) throw notFound("user");
    throw error;
  }
  const balance = await db
    .select({ balance: sql<number>`coalesce(sum(${creditLedger.amount}), 0)` })
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId))
    .get();
  return { adjustmentId: id, credits: balance?.balance ?? 0 };
}

/** Sets a user's storage quota; lowering it below what they already store is refused (409). */
export async function changeQuota(
  db: Db,
  audit: AuditContext,
  userId: string,
  change: { bytes?: number; files?: number },
  reason: string,
  now: Date,
) {
  const before = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!before) throw notFound("user");
  const nowIso = now.toISOString();
  const set: Partial<typeof users.$inferInsert> = { updatedAt: nowIso };
  if (change.bytes !== undefined) set.quotaBytes = change.bytes;
  if (change.files !== undefined) set.quotaFiles = change.files;
  try {
    const [updated] = await db.batch([
      db
        .update(users)
        .set(set)
        .where(and(eq(users.id, userId)))
        .returning(),
      auditStatement(
        db,
        audit,
        {
          action: "admin.quota_changed",
          subjectId: userId,
          targetType: "user",
          targetId: userId,
          detail: { reason, before: { bytes: before.quotaBytes, files: before.quotaFiles }, after: change },
        },
        nowIso,
      ),
    ]);
    return updated[0]!;
  } catch (error) {
    if (isConstraintError(error, /users_used_(bytes|files)_within_quota/)) {
      throw new ApiError(409, "quota_below_usage", "The user already stores more than that quota allows.");
    }
    throw error;
  }
}
