import { sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { mailEvent } from "../email/outbox";

/**
 * The statements that turn what PayPal reports into ledger rows, for one db.batch() with the
 * payments row. Every one is idempotent and order-independent:
 * - a capture's credits are one `purchase` row keyed by the capture id (the ledger's unique
 *   (user, ref, kind) index makes a second report a no-op, however many arrive at once);
 * - a refund or reversal is first recorded in `payment_refunds` by its own id, then debited as one
 *   `refund` row keyed by that id — by whichever batch sees both the refund and the purchase, so a
 *   refund reported before its capture is debited when the capture arrives.
 */
const purchaseRef = (captureId: string) => `paypal:${captureId}`;

/** Marks the payment captured (once) and grants its pack's credits. */
export function captureStatements(db: Db, paymentId: string, captureId: string, nowIso: string) {
  const receipt = mailEvent(db, "billing.receipt", { paymentId }, nowIso, {
    // One receipt per payment, whoever reports the capture first.
    id: `evt_receipt_${paymentId}`,
    when: sql`EXISTS (SELECT 1 FROM payments WHERE id = ${paymentId} AND capture_id = ${captureId})`,
  });
  const statements = [
    rawInBatch(
      db,
      sql`UPDATE payments SET capture_id = ${captureId}, captured_at = coalesce(captured_at, ${nowIso}),
          status = CASE WHEN status IN ('created', 'pending', 'failed') THEN 'completed' ELSE status END,
          updated_at = ${nowIso}
        WHERE id = ${paymentId} AND (capture_id IS NULL OR capture_id = ${captureId})`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
        SELECT 'crd_' || lower(hex(randomblob(10))), user_id, 'purchase', credits, ${purchaseRef(captureId)},
          'credit pack ' || pack_id || ' (' || id || ')', ${nowIso}
        FROM payments WHERE id = ${paymentId} AND capture_id = ${captureId}
        ON CONFLICT (user_id, ref, kind) DO NOTHING`,
    ),
    // Refunds PayPal reported before this capture (rare; two cover any real sequence).
    applyNextRefund(db, captureId, nowIso),
    applyNextRefund(db, captureId, nowIso),
    refreshRefundStatus(db, captureId, nowIso),
    receipt.statement,
  ];
  return { statements, mailEvent: receipt.id };
}

/** A capture PayPal holds (e.g. an uncleared eCheck): recorded, no credits until it completes. */
export function pendingCaptureStatement(db: Db, paymentId: string, captureId: string, nowIso: string) {
  return rawInBatch(
    db,
    sql`UPDATE payments SET capture_id = ${captureId}, status = 'pending', updated_at = ${nowIso}
      WHERE id = ${paymentId} AND status IN ('created', 'pending') AND (capture_id IS NULL OR capture_id = ${captureId})`,
  );
}

/** A capture PayPal declined: the payment failed, no credits. */
export function failedCaptureStatement(db: Db, paymentId: string, nowIso: string) {
  return rawInBatch(
    db,
    sql`UPDATE payments SET status = 'failed', updated_at = ${nowIso} WHERE id = ${paymentId} AND status IN ('created', 'pending')`,
  );
}

export interface ReportedRefund {
  refundId: string;
  captureId: string;
  kind: "refund" | "reversal";
  amountCents: number;
  currency: string;
}

/** Records a refund or reversal (once, by its id) and debits it if its capture's credits were granted. */
export function refundStatements(db: Db, refund: ReportedRefund, nowIso: string) {
  return [
    rawInBatch(
      db,
      sql`INSERT INTO payment_refunds (refund_id, capture_id, kind, amount_cents, currency, created_at)
        VALUES (${refund.refundId}, ${refund.captureId}, ${refund.kind}, ${refund.amountCents}, ${refund.currency}, ${nowIso})
        ON CONFLICT (refund_id) DO NOTHING`,
    ),
    applyNextRefund(db, refund.captureId, nowIso),
    refreshRefundStatus(db, refund.captureId, nowIso),
  ];
}

/**
 * Debits the earliest recorded, not yet debited refund of a capture whose purchase was granted.
 * Each refund takes its share of the pack's credits (rounded down); the one that completes the
 * refunded amount takes what is left, so the debits of a capture never exceed its credits.
 */
function applyNextRefund(db: Db, captureId: string, nowIso: string) {
  return rawInBatch(
    db,
    sql`WITH p AS (SELECT * FROM payments WHERE capture_id = ${captureId}),
      applied AS (
        SELECT coalesce(sum(r.amount_cents), 0) AS cents, coalesce(-sum(l.amount), 0) AS credits
        FROM payment_refunds r JOIN credit_ledger l ON l.ref = 'paypal-refund:' || r.refund_id AND l.kind = 'refund'
        WHERE r.capture_id = ${captureId}
      ),
      next AS (
        SELECT r.* FROM payment_refunds r
        WHERE r.capture_id = ${captureId}
          AND NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.ref = 'paypal-refund:' || r.refund_id AND l.kind = 'refund')
        ORDER BY r.created_at, r.refund_id LIMIT 1
      )
      INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
      SELECT 'crd_' || lower(hex(randomblob(10))), p.user_id, 'refund',
        -(CASE WHEN applied.cents + next.amount_cents >= p.amount_cents THEN p.credits - applied.credits
               ELSE min(p.credits - applied.credits, (p.credits * next.amount_cents) / p.amount_cents) END),
        'paypal-refund:' || next.refund_id, next.kind || ' of ' || p.id, ${nowIso}
      FROM p, applied, next
      WHERE EXISTS (SELECT 1 FROM credit_ledger WHERE user_id = p.user_id AND ref = ${purchaseRef(captureId)} AND kind = 'purchase')
      ON CONFLICT (user_id, ref, kind) DO NOTHING`,
  );
}

function refreshRefundStatus(db: Db, captureId: string, nowIso: string) {
  return rawInBatch(
    db,
    sql`UPDATE payments SET
        refunded_cents = (SELECT coalesce(sum(amount_cents), 0) FROM payment_refunds WHERE capture_id = ${captureId}),
        status = CASE
          WHEN EXISTS (SELECT 1 FROM payment_refunds WHERE capture_id = ${captureId} AND kind = 'reversal') THEN 'reversed'
          WHEN (SELECT coalesce(sum(amount_cents), 0) FROM payment_refunds WHERE capture_id = ${captureId}) >= amount_cents THEN 'refunded'
          WHEN EXISTS (SELECT 1 FROM payment_refunds WHERE capture_id = ${captureId}) THEN 'partially_refunded'
          ELSE status END,
        updated_at = ${nowIso}
      WHERE capture_id = ${captureId} AND status IN ('completed', 'partially_refunded', 'refunded', 'reversed')`,
  );
}
