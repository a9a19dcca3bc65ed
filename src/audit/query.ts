import { and, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog } from "../db/schema";
import { csvField } from "../lib/csv";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { SECURITY_ACTIONS } from "./record";

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditFilter {
  actor?: string;
  subject?: string;
  action?: string;
  targetType?: string;
  target?: string;
  from?: string;
  to?: string;
}

function conditions(filter: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.actor) where.push(eq(auditLog.actorId, filter.actor));
  if (filter.subject) where.push(eq(auditLog.subjectId, filter.subject));
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.targetType) where.push(eq(auditLog.targetType, filter.targetType));
  if (filter.target) where.push(eq(auditLog.targetId, filter.target));
  if (filter.from) where.push(gte(auditLog.createdAt, filter.from));
  if (filter.to) where.push(lte(auditLog.createdAt, filter.to));
  return where;
}

/** Newest first, keyset-paged on (created_at, id). */
export async function listAudit(db: Db, filter: AuditFilter, page: { limit: number; cursor?: string }) {
  const where = conditions(filter);
  const keys = keyset(auditLog.createdAt, auditLog.id, decodeCursor(page.cursor), { descending: true });
  if (keys.after) where.push(keys.after);
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(...keys.orderBy)
    .limit(page.limit + 1)
    .all();
  return toPage(rows, page.limit, (r) => r.createdAt);
}

/** The account's own security events (sign-ins, password, 2FA, sessions, API keys, admin changes to it). */
export async function listSecurityEvents(db: Db, userId: string, page: { limit: number; cursor?: string }) {
  const keys = keyset(auditLog.createdAt, auditLog.id, decodeCursor(page.cursor), { descending: true });
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, userId), inArray(auditLog.action, [...SECURITY_ACTIONS]), keys.after))
    .orderBy(...keys.orderBy)
    .limit(page.limit + 1)
    .all();
  return toPage(rows, page.limit, (r) => r.createdAt);
}

/** At most this many rows in one CSV export; narrow the filter (time range) for more. */
export const CSV_MAX_ROWS = 10_000;
const CSV_PAGE = 500;
const CSV_COLUMNS = [
  "createdAt",
  "action",
  "actorId",
  "subjectId",
  "targetType",
  "targetId",
  "requestId",
  "ip",
  "userAgent",
  "detail",
] as const;

const cellText = (value: unknown) =>
  value === null || value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);

/** The filtered trail as CSV, newest first, up to CSV_MAX_ROWS rows; `truncated` when more matched. */
export async function auditCsv(db: Db, filter: AuditFilter): Promise<{ csv: string; truncated: boolean }> {
  const lines = [CSV_COLUMNS.join(",")];
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await listAudit(db, filter, { limit: CSV_PAGE, cursor });
    for (const row of page.items) {
      if (count === CSV_MAX_ROWS) return { csv: `${lines.join("\r\n")}\r\n`, truncated: true };
      lines.push(CSV_COLUMNS.map((c) => csvField(cellText(row[c]))).join(","));
      count += 1;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { csv: `${lines.join("\r\n")}\r\n`, truncated: false };
}

/**
 * Retention: deletes rows older than `retentionDays`, a chunk at a time (the cron comes back for the
 * rest). The table's trigger refuses deleting anything younger than a day whatever the cutoff says.
 */
export async function purgeExpiredAudit(db: Db, retentionDays: number, now: Date, chunk = 5000) {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const result = await db.run(
    sql`DELETE FROM audit_log WHERE id IN (
      SELECT id FROM audit_log WHERE created_at < ${cutoff}
        AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
      ORDER BY created_at LIMIT ${chunk})`,
  );
  return result.meta.changes;
}
