import { and, desc, eq, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import { type AlertRule, alertEvents, alertRules } from "../db/alerts-schema";
import type { Db } from "../db/client";
import { notFound } from "../errors";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";

export type AlertRuleInput = Pick<
  AlertRule,
  "name" | "signal" | "threshold" | "windowMinutes" | "email" | "webhook" | "enabled"
>;

const audited = (action: string, id: string, detail: Record<string, unknown>) => ({
  action,
  subjectId: null,
  targetType: "alert_rule",
  targetId: id,
  detail,
});

export async function createAlertRule(db: Db, input: AlertRuleInput, now: Date, audit: AuditContext) {
  const nowIso = now.toISOString();
  const row: AlertRule = {
    id: newId("alr"),
    ...input,
    state: "ok",
    stateChangedAt: null,
    lastValue: null,
    lastEvaluatedAt: null,
    createdBy: audit.actorId ?? "system",
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  await db.batch([
    db.insert(alertRules).values(row),
    auditStatement(db, audit, audited("alert_rule.created", row.id, { ...input }), nowIso),
  ]);
  return row;
}

/**
 * Changes a rule. A rule that is switched off, or made to watch something else, starts over as
 * `ok` without a notice: its firing state said something about what it watched before.
 */
export async function updateAlertRule(
  db: Db,
  id: string,
  change: Partial<AlertRuleInput>,
  now: Date,
  audit: AuditContext,
) {
  const nowIso = now.toISOString();
  const restart =
    change.enabled === false || change.signal !== undefined || change.threshold !== undefined
      ? { state: "ok" as const, stateChangedAt: nowIso }
      : {};
  const [updated] = await db.batch([
    db
      .update(alertRules)
      .set({ ...change, ...restart, updatedAt: nowIso })
      .where(eq(alertRules.id, id))
      .returning(),
    auditStatement(db, audit, audited("alert_rule.updated", id, { change }), nowIso, sql`changes() = 1`),
  ]);
  if (!updated[0]) throw notFound("alert rule");
  return updated[0];
}

/** Deletes a rule; its history stays (events carry the rule's name). */
export async function deleteAlertRule(db: Db, id: string, now: Date, audit: AuditContext) {
  const nowIso = now.toISOString();
  const [deleted] = await db.batch([
    db.delete(alertRules).where(eq(alertRules.id, id)).returning({ id: alertRules.id }),
    auditStatement(db, audit, audited("alert_rule.deleted", id, {}), nowIso, sql`changes() = 1`),
  ]);
  if (!deleted[0]) throw notFound("alert rule");
}

export async function listAlertRules(db: Db) {
  return db.select().from(alertRules).orderBy(desc(alertRules.createdAt)).all();
}

/** Alert history, newest first; one rule's with `ruleId`. */
export async function listAlertEvents(db: Db, query: { ruleId?: string; limit: number; cursor?: string }) {
  const keys = keyset(alertEvents.at, alertEvents.id, decodeCursor(query.cursor), { descending: true });
  const rows = await db
    .select()
    .from(alertEvents)
    .where(and(query.ruleId ? eq(alertEvents.ruleId, query.ruleId) : undefined, keys.after))
    .orderBy(...keys.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (r) => r.at);
}
