import { and, eq, sql } from "drizzle-orm";
import { type AlertRule, alertRules } from "../db/alerts-schema";
import { type Db, rawInBatch } from "../db/client";
import { mailEvent } from "../email/outbox";
import { newId } from "../lib/ids";
import { SIGNALS } from "./signals";

export interface Transition {
  ruleId: string;
  kind: "fired" | "resolved";
  /** The outbox event that carries its notices (mail and webhook), for a quick dispatch. */
  eventId: string;
}

/**
 * Measures every enabled rule's signal over its window and moves the rules whose state changed.
 * A transition is one batch: the rule's state by conditional update (`WHERE state = <old>`), then —
 * only if that update took — the history row, then the outbox event the mailer and the webhook
 * relay turn into one mail and one delivery each. Repeated or concurrent runs find the state already
 * moved and write nothing, so each firing and each resolution is notified once.
 */
export async function evaluateAlerts(db: Db, now: Date): Promise<Transition[]> {
  const rules = await db.select().from(alertRules).where(eq(alertRules.enabled, true)).all();
  const measured = new Map<string, Promise<number>>();
  const measure = (rule: AlertRule) => {
    const key = `${rule.signal}/${rule.windowMinutes}`;
    if (!measured.has(key)) {
      const from = new Date(now.getTime() - rule.windowMinutes * 60_000);
      measured.set(key, SIGNALS[rule.signal].measure(db, from, now));
    }
    return measured.get(key)!;
  };
  const nowIso = now.toISOString();
  const transitions: Transition[] = [];
  for (const rule of rules) {
    const value = await measure(rule);
    const breached = value > rule.threshold;
    const next = breached ? "firing" : "ok";
    if (next === rule.state) {
      await db
        .update(alertRules)
        .set({ lastValue: value, lastEvaluatedAt: nowIso })
        .where(and(eq(alertRules.id, rule.id), eq(alertRules.state, rule.state)));
      continue;
    }
    const kind = breached ? "fired" : "resolved";
    const eventId = newId("alv");
    const mail = mailEvent(
      db,
      kind === "fired" ? "alert.fired" : "alert.resolved",
      { alertEventId: eventId },
      nowIso,
      {
        when: sql`changes() = 1`,
      },
    );
    const [moved] = await db.batch([
      db
        .update(alertRules)
        .set({ state: next, stateChangedAt: nowIso, lastValue: value, lastEvaluatedAt: nowIso })
        .where(
          and(eq(alertRules.id, rule.id), eq(alertRules.state, rule.state), eq(alertRules.enabled, true)),
        )
        .returning({ id: alertRules.id }),
      rawInBatch(
        db,
        sql`INSERT INTO alert_events (id, rule_id, rule_name, kind, signal, value, threshold, at)
          SELECT ${eventId}, ${rule.id}, ${rule.name}, ${kind}, ${rule.signal}, ${value}, ${rule.threshold}, ${nowIso}
          WHERE changes() = 1`,
      ),
      mail.statement,
    ]);
    if (moved.length === 1) transitions.push({ ruleId: rule.id, kind, eventId: mail.id });
  }
  return transitions;
}
