import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { stringVars } from "../config";
import { abortUnless, isBatchAbort } from "../db/batch";
import { type Db, rawInBatch } from "../db/client";
import { creditLedger } from "../db/schema";
import { newId } from "../lib/ids";

/**
 * The credits ledger: append-only rows, balance = sum(amount). A job's credits are reserved at
 * enqueue (−cost), then either committed (a 0-amount row that makes the charge final) or released
 * (+cost). Each row is unique per (user, job, kind), and commit/release exclude each other, so no
 * retry, redelivery or race can charge twice or refund twice. These return batch statements: the
 * caller puts them in the same db.batch() as the job change they belong to.
 */

const INSUFFICIENT = "insufficient-credits";

/**
 * Reserve `cost` for `jobId`: a guard that aborts the caller's whole batch when the balance does
 * not cover it (no job without its credits), then the reservation row. Callers map that abort with
 * `isInsufficientCredits`.
 */
export function reserveCredits(
  db: Db,
  userId: string,
  jobId: string,
  cost: number,
  nowIso: string,
): BatchItem<"sqlite">[] {
  return [
    abortUnless(
      db,
      INSUFFICIENT,
      sql`(SELECT coalesce(sum(amount), 0) FROM credit_ledger WHERE user_id = ${userId}) >= ${cost}`,
    ),
    db.insert(creditLedger).values({
      id: newId("crd"),
      userId,
      kind: "reserve",
      amount: -cost,
      ref: jobId,
      note: "job reserved",
      createdAt: nowIso,
    }),
  ];
}

/** LOW_CREDITS_THRESHOLD: the balance under which a reservation writes a `credits.low` event. */
export function lowCreditsThreshold(env: Env): number {
  const value = Number(stringVars(env).LOW_CREDITS_THRESHOLD ?? 10);
  return Number.isFinite(value) && value >= 0 ? value : 10;
}

/**
 * A `credits.low` outbox event when the reservation just before it took the balance from at or above
 * `threshold` to below it — once per crossing, not once per job. Whoever cares (the mail catalog)
 * subscribes to the topic; the scheduled relay hands it on.
 */
export function lowCreditsEvent(db: Db, userId: string, cost: number, threshold: number, nowIso: string) {
  return rawInBatch(
    db,
    sql`INSERT INTO outbox (id, topic, payload, created_at)
      SELECT ${newId("evt")}, 'credits.low', json_object('userId', ${userId}, 'balance', b.balance), ${nowIso}
      FROM (SELECT coalesce(sum(amount), 0) AS balance FROM credit_ledger WHERE user_id = ${userId}) AS b
      WHERE b.balance < ${threshold} AND b.balance + ${cost} >= ${threshold}`,
  );
}

export function isInsufficientCredits(error: unknown): boolean {
  return isBatchAbort(error, INSUFFICIENT);
}

/**
 * A charge for work already done in the request (a synchronous trace): reservation and commit in
 * one batch, aborted like `reserveCredits` when the balance does not cover it.
 */
export function chargeCredits(db: Db, userId: string, ref: string, cost: number, nowIso: string) {
  return [...reserveCredits(db, userId, ref, cost, nowIso), commitCredits(db, userId, ref, nowIso)];
}

/** Make a reservation final (no-op without a reservation, or after a release). */
export function commitCredits(db: Db, userId: string, jobId: string, nowIso: string) {
  return rawInBatch(
    db,
    sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
      SELECT ${newId("crd")}, ${userId}, 'commit', 0, ${jobId}, 'job succeeded', ${nowIso}
      WHERE EXISTS (SELECT 1 FROM credit_ledger WHERE user_id = ${userId} AND ref = ${jobId} AND kind = 'reserve')
        AND NOT EXISTS (SELECT 1 FROM credit_ledger WHERE user_id = ${userId} AND ref = ${jobId} AND kind = 'release')
      ON CONFLICT (user_id, ref, kind) DO NOTHING`,
  );
}

/**
 * Give a job's reservation back, once the job has reached `whenJobStatus` (checked in the same
 * statement, so it can follow the guarded job update in one batch). No-op after a commit.
 */
export function releaseCredits(db: Db, jobId: string, whenJobStatus: "failed" | "cancelled", nowIso: string) {
  return rawInBatch(
    db,
    sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
      SELECT ${newId("crd")}, user_id, 'release', -amount, ref, ${`job ${whenJobStatus}`}, ${nowIso}
      FROM credit_ledger
      WHERE ref = ${jobId} AND kind = 'reserve'
        AND NOT EXISTS (SELECT 1 FROM credit_ledger c WHERE c.ref = ${jobId} AND c.kind = 'commit')
        AND EXISTS (SELECT 1 FROM jobs WHERE id = ${jobId} AND status = ${whenJobStatus})
      ON CONFLICT (user_id, ref, kind) DO NOTHING`,
  );
}

/** Whether the charge `ref` (see `chargeCredits`) was made: reserved and committed. */
export async function wasCharged(db: Db, userId: string, ref: string): Promise<boolean> {
  const row = await db
    .select({ id: creditLedger.id })
    .from(creditLedger)
    .where(and(eq(creditLedger.userId, userId), eq(creditLedger.ref, ref), eq(creditLedger.kind, "commit")))
    .get();
  return Boolean(row);
}
