import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, isConstraintError, rawInBatch } from "./client";

/** Reasons are kebab-case words, so one can never match as part of another or break the pattern. */
const REASON = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The one way to make a `db.batch()` conditional.
 *
 * D1 runs a batch as one transaction, and a failing statement rolls all of it back. So a statement
 * that fails exactly when a condition is false makes the whole batch conditional on it — with the
 * condition evaluated inside the transaction, at that point of the batch, where no concurrent
 * writer can slip in between a check and the write it guards.
 *
 * `abortUnless` is that statement: it inserts `reason` into `batch_guards` only when `condition` is
 * false, and the table's trigger refuses every insert with `batch aborted: <reason>` (migration
 * 0007). The table never holds a row. `isBatchAbort(error, reason)` recognises the failure, so a
 * caller maps its own reason (a constant beside its guard) to an answer and lets any other error
 * through.
 *
 * `condition` is plain SQL; `changes()` in it is the row count of the statement just before the
 * guard (e.g. `sql\`changes() = 1\`` after a conditional UPDATE: "that update took"). A guard resets
 * `changes()` to 0 for the statement after it.
 */
export function abortUnless(db: Db, reason: string, condition: SQL): BatchItem<"sqlite"> {
  if (!REASON.test(reason)) throw new Error(`batch abort reason must match ${REASON}: ${reason}`);
  // NULL counts as false: a guard whose condition can't be evaluated fails closed.
  return rawInBatch(
    db,
    sql`INSERT INTO batch_guards (reason) SELECT ${reason} WHERE NOT coalesce((${condition}), 0)`,
  );
}

/** `sql\`changes() = 1\``: the statement just before changed exactly one row. */
export const previousChangedOneRow = sql`changes() = 1`;

/** Whether `error` is the batch abort `abortUnless(…, reason, …)` raised. */
export function isBatchAbort(error: unknown, reason: string): boolean {
  return isConstraintError(error, new RegExp(`batch aborted: ${reason}(?![\\w-])`));
}
