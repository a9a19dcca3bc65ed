import { and, eq, getTableColumns, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { auditLog, creditLedger, type User, users } from "../db/schema";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { revokeAllApiKeys } from "./api-keys";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./password";
import { passwordProblem } from "./password-policy";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function weakPassword(problem: string): ApiError {
  return new ApiError(422, "weak_password", problem, {
    errors: [{ path: "password", message: problem, code: "weak_password" }],
  });
}

export interface RegisterResult {
  user: Pick<User, "id" | "email" | "name" | "role" | "createdAt">;
  /** False when the email already had an account: the caller answers the same way regardless. */
  created: boolean;
}

/**
 * Creates an account with the free credit grant in one batch. An email that is taken gets an
 * answer of the same shape and cost (no account enumeration); a notice event goes to the outbox
 * so the owner can be told by email.
 */
export async function registerUser(
  db: Db,
  input: { email: string; password: string; name?: string | null; role?: "user" | "admin" },
  options: { freeCredits: number; now: Date },
): Promise<RegisterResult> {
  const email = normalizeEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw weakPassword(problem);

  const nowIso = options.now.toISOString();
  const id = newId("usr");
  const passwordHash = await hashPassword(input.password);
  const role = input.role ?? "user";
  const statements = [
    rawInBatch(
      db,
      sql`INSERT INTO users (id, email, name, role, password_hash, created_at, updated_at)
      VALUES (${id}, ${email}, ${input.name ?? null}, ${role}, ${passwordHash}, ${nowIso}, ${nowIso})
      ON CONFLICT (email) DO NOTHING`,
    ),
    // Only when the user row was just inserted (its id exists), grant the free credits.
    rawInBatch(
      db,
      sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
      SELECT ${newId("crd")}, ${id}, 'grant', ${options.freeCredits}, 'signup', 'free credits on sign-up', ${nowIso}
      WHERE ${options.freeCredits} > 0 AND EXISTS (SELECT 1 FROM users WHERE id = ${id})`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO outbox (id, topic, payload, created_at)
      SELECT ${newId("evt")}, 'account.registration_attempt_existing', json_object('email', ${email}), ${nowIso}
      WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = ${id})`,
    ),
  ] as const;
  const [insertedUser] = await db.batch(statements);
  const created = insertedUser.meta.changes === 1;
  return { user: { id, email, name: input.name ?? null, role, createdAt: nowIso }, created };
}

/**
 * Checks email + password. Unknown emails, wrong passwords and disabled accounts all fail alike
 * and spend the same KDF work. A hash made with old parameters is replaced.
 */
export async function authenticate(db: Db, emailInput: string, password: string, now: Date): Promise<User> {
  const user = await db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(emailInput)))
    .get();
  if (!user) {
    await burnPasswordCheck(password);
    throw invalidCredentials();
  }
  const verdict = await verifyPassword(password, user.passwordHash);
  if (!verdict.ok || user.disabledAt) throw invalidCredentials();
  if (verdict.needsRehash) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(password), updatedAt: now.toISOString() })
      .where(eq(users.id, user.id));
  }
  return user;
}

const invalidCredentials = () => new ApiError(401, "invalid_credentials", "The email or password is wrong.");

/**
 * Changes a password after checking the current one, revoking the account's API keys in the same
 * batch. Ending sessions is the caller's next step.
 */
export async function changePassword(
  db: Db,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  now: Date,
): Promise<void> {
  const user = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new ApiError(404, "not_found", "No such user.");
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)).ok) {
    throw new ApiError(403, "invalid_credentials", "The current password is wrong.");
  }
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw weakPassword(problem);
  const nowIso = now.toISOString();
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: nowIso })
      .where(eq(users.id, userId)),
    revokeAllApiKeys(db, userId, nowIso),
    db.insert(auditLog).values({
      id: newId("aud"),
      actorId: userId,
      action: "user.password_changed",
      targetType: "user",
      targetId: userId,
      createdAt: nowIso,
    }),
  ]);
}

/** A user's credit balance as an SQL value, so a read that needs it beside other columns stays one query. */
export function creditBalanceSql(userId: string) {
  return sql<number>`(SELECT coalesce(sum(${creditLedger.amount}), 0) FROM ${creditLedger} WHERE ${creditLedger.userId} = ${userId})`;
}

export async function creditBalance(db: Db, userId: string): Promise<number> {
  const row = await db.get<{ balance: number }>(sql`SELECT ${creditBalanceSql(userId)} AS balance`);
  return row?.balance ?? 0;
}

/** The user row with its credit balance, in one read (GET /me). */
export function findUserWithCredits(db: Db, userId: string) {
  return db
    .select({ ...getTableColumns(users), credits: creditBalanceSql(userId) })
    .from(users)
    .where(eq(users.id, userId))
    .get();
}

export async function findActiveUser(db: Db, userId: string) {
  return db
    .select({ id: users.id, email: users.email, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.id, userId), sql`${users.disabledAt} IS NULL`))
    .get();
}

let bootstrapped = false;
/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when the deployment has no admin yet.
 * Runs once per isolate; the conditional insert makes concurrent isolates harmless.
 */
export async function ensureBootstrapAdmin(db: Db, env: Env, options: { freeCredits: number; now: Date }) {
  if (bootstrapped || !env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) return;
  bootstrapped = true;
  const admin = await db.select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1).get();
  if (admin) return;
  const email = normalizeEmail(env.ADMIN_EMAIL);
  try {
    const { created } = await registerUser(
      db,
      { email, password: env.ADMIN_PASSWORD, name: "Administrator", role: "admin" },
      options,
    );
    console.log(JSON.stringify({ level: "info", event: "bootstrap_admin", email, created }));
  } catch (error) {
    const reason = error instanceof ApiError ? error.detail : String(error);
    console.log(JSON.stringify({ level: "error", event: "bootstrap_admin_failed", email, reason }));
  }
}
