import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../db/client";
import { newId } from "../lib/ids";

/**
 * Writing the audit trail. A row is a statement the caller puts in the same db.batch() as the change
 * it records, so the two commit or fail together; `when` makes the row conditional on that change
 * (e.g. `changes() = 1` right after a conditional update), evaluated inside the batch.
 */

/** Who did it and from where: taken from the request by the route (src/routes/audit-context.ts). */
export interface AuditContext {
  actorId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** A change made by the system itself (cron, queue consumer): no actor, no request. */
export const SYSTEM_AUDIT: AuditContext = { actorId: null, requestId: null, ip: null, userAgent: null };

/**
 * Actions about an account's own security: its owner sees these at /me/security-events. Other
 * actions (shares, organize, purge, admin powers) are in the admin's trail only.
 */
export const SECURITY_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "user.password_changed",
  "user.password_reset",
  "user.2fa_enabled",
  "user.2fa_disabled",
  "session.revoked",
  "api_key.created",
  "api_key.revoked",
  "admin.user_updated",
] as const;

export interface AuditEvent {
  action: string;
  /** The account the event is about. */
  subjectId: string | null;
  targetType?: string;
  targetId?: string | null;
  /** Small values only (before/after, a reason); never secrets. */
  detail?: Record<string, unknown>;
}

const MAX_USER_AGENT = 300;

export function auditStatement(
  db: Db,
  context: AuditContext,
  event: AuditEvent,
  nowIso: string,
  when?: SQL,
): BatchItem<"sqlite"> {
  return rawInBatch(
    db,
    sql`INSERT INTO audit_log (id, actor_id, subject_id, action, target_type, target_id, detail, request_id, ip, user_agent, created_at)
      SELECT ${newId("aud")}, ${context.actorId}, ${event.subjectId}, ${event.action}, ${event.targetType ?? null},
        ${event.targetId ?? null}, ${event.detail ? JSON.stringify(event.detail) : null}, ${context.requestId},
        ${context.ip}, ${context.userAgent?.slice(0, MAX_USER_AGENT) ?? null}, ${nowIso}
      WHERE ${when ?? sql`1`}`,
  );
}

/** An event that is the whole change (a failed sign-in): written on its own. */
export async function recordAudit(
  db: Db,
  context: AuditContext,
  event: AuditEvent,
  now: Date,
): Promise<void> {
  await db.batch([auditStatement(db, context, event, now.toISOString())]);
}
