import { and, eq, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { revokeAllApiKeys } from "./api-keys";
import { forgetUser } from "./session-cache";
import { revokeSessions, type SessionDeps } from "./sessions";

export async function listUsers(db: Db, query: { q?: string; limit: number; cursor?: string }) {
  const cursor = decodeCursor(query.cursor);
  const conditions = [];
  // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes (and user text would need escaping).
  if (query.q) conditions.push(sql`instr(${users.email}, ${query.q.toLowerCase()}) > 0`);
  const page = keyset(users.createdAt, users.id, cursor);
  if (page.after) conditions.push(page.after);
  const rows = await db
    .select()
    .from(users)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (u) => u.createdAt);
}

const cannotChangeSelf = (detail: string) => new ApiError(409, "cannot_change_self", detail);

/**
 * Changes a user's role or disables/enables the account. Disabling revokes the account's API keys
 * in the same batch and ends every session at once. An admin can't demote or disable themselves, so
 * the deployment never loses its last admin by accident.
 */
export async function updateUser(
  deps: Pick<SessionDeps, "db" | "kv" | "now"> & { audit: AuditContext },
  userId: string,
  change: { role?: "user" | "admin"; disabled?: boolean },
) {
  const { db, now } = deps;
  const actorId = deps.audit.actorId;
  if (userId === actorId && (change.role === "user" || change.disabled === true)) {
    throw cannotChangeSelf("You can't demote or disable your own account.");
  }
  const nowIso = now.toISOString();
  const set: Partial<typeof users.$inferInsert> = { updatedAt: nowIso };
  if (change.role) set.role = change.role;
  if (change.disabled !== undefined) set.disabledAt = change.disabled ? nowIso : null;
  const before = await db
    .select({ role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  if (!before) throw notFound("user");
  const [updated] = await db.batch([
    db.update(users).set(set).where(eq(users.id, userId)).returning(),
    // Only when the update above took (the user still exists).
    auditStatement(
      db,
      deps.audit,
      {
        action: "admin.user_updated",
        subjectId: userId,
        targetType: "user",
        targetId: userId,
        detail: { before: { role: before.role, disabled: before.disabledAt !== null }, after: change },
      },
      nowIso,
      sql`changes() = 1`,
    ),
    ...(change.disabled ? [revokeAllApiKeys(db, userId, nowIso)] : []),
  ]);
  const user = updated[0];
  if (!user) throw notFound("user");
  // A new role or a disabled account counts at once here; other isolates within SESSION_CACHE_SECONDS.
  forgetUser(userId);
  if (change.disabled) await revokeSessions(deps, { userId }, "account_disabled");
  return user;
}

/** Ends all of a user's sessions; an admin's own go through /sessions, like everyone's. */
export async function endUserSessions(
  deps: Pick<SessionDeps, "db" | "kv" | "now"> & { audit: AuditContext },
  userId: string,
) {
  if (userId === deps.audit.actorId)
    throw cannotChangeSelf("You can't end your own sessions here; use /sessions.");
  const exists = await deps.db.select({ id: users.id }).from(users).where(eq(users.id, userId)).get();
  if (!exists) throw notFound("user");
  // The revocation writes its audit row (actor: this admin, reason ended_by_admin) in its own batch.
  return revokeSessions(deps, { userId }, "ended_by_admin");
}
