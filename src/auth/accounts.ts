import { and, eq, getTableColumns, type Placeholder, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import { type Db, preparedOnce, rawInBatch } from "../db/client";
import { creditLedger, type User, users } from "../db/schema";
import { mailEvent } from "../email/outbox";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { revokeAllApiKeys } from "./api-keys";
import { newToken } from "./email-tokens";
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
  /** False when the email already had an account: the caller answers the same way regardless. */
  created: boolean;
  /** Outbox events to hand to the mail queue (a verify link, or a note to the existing owner). */
  mailEvents: string[];
}

/**
 * Creates an account with the free credit grant and an email-verification token in one batch. An
 * email that is taken gets an answer of the same shape and cost (no account enumeration) and a
 * mail to its owner instead. `verified` (the bootstrap admin) skips the verification step.
 */
export async function registerUser(
  db: Db,
  input: { email: string; password: string; name?: string | null; role?: "user" | "admin" },
  options: { freeCredits: number; now: Date; secret: string; verified?: boolean },
): Promise<RegisterResult> {
  const email = normalizeEmail(input.email);
  const problem = passwordProblem(input.password, email);
  if (problem) throw weakPassword(problem);

  const nowIso = options.now.toISOString();
  const id = newId("usr");
  const passwordHash = await hashPassword(input.password);
  const role = input.role ?? "user";
  const token = await newToken(options.secret, "verify_email", options.now);
  const inserted = sql`EXISTS (SELECT 1 FROM users WHERE id = ${id})`;
  const verifyMail = mailEvent(db, "account.verify_email", { userId: id, tokenId: token.id }, nowIso, {
    when: options.verified ? sql`0` : inserted,
  });
  const existingMail = mailEvent(db, "account.registration_attempt_existing", { email }, nowIso, {
    when: options.verified ? sql`0` : sql`NOT ${inserted}`,
  });
  const [insertedUser] = await db.batch([
    rawInBatch(
      db,
      sql`INSERT INTO users (id, email, name, role, password_hash, email_verified_at, created_at, updated_at)
      VALUES (${id}, ${email}, ${input.name ?? null}, ${role}, ${passwordHash}, ${options.verified ? nowIso : null}, ${nowIso}, ${nowIso})
      ON CONFLICT (email) DO NOTHING`,
    ),
    // Only when the user row was just inserted (its id exists), grant the free credits.
    rawInBatch(
      db,
      sql`INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at)
      SELECT ${newId("crd")}, ${id}, 'grant', ${options.freeCredits}, 'signup', 'free credits on sign-up', ${nowIso}
      WHERE ${options.freeCredits} > 0 AND ${inserted}`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO user_tokens (id, user_id, purpose, token_hash, created_at, expires_at)
      SELECT ${token.id}, ${id}, 'verify_email', ${token.tokenHash}, ${nowIso}, ${token.expiresAt}
      WHERE ${options.verified ? sql`0` : inserted}`,
    ),
    verifyMail.statement,
    existingMail.statement,
  ]);
  return { created: insertedUser.meta.changes === 1, mailEvents: [verifyMail.id, existingMail.id] };
}

/**
 * Checks email + password. Unknown emails and wrong passwords fail alike and spend the same KDF
 * work. A disabled account is told so — but only after its password was right, so the answer
 * reveals nothing to someone who does not know it. A hash made with old parameters is replaced.
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
  if (!verdict.ok) throw invalidCredentials();
  if (user.disabledAt) {
    throw new ApiError(
      403,
      "account_disabled",
      "This account has been disabled. Contact support to have it restored.",
    );
  }
  if (verdict.needsRehash) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(password), updatedAt: now.toISOString() })
      .where(eq(users.id, user.id));
  }
  return user;
}

/** The account an email names, if any (for auditing a failed sign-in against it). */
export async function userIdByEmail(db: Db, emailInput: string): Promise<string | null> {
  const row = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, normalizeEmail(emailInput)))
    .get();
  return row?.id ?? null;
}

const invalidCredentials = () => new ApiError(401, "invalid_credentials", "The email or password is wrong.");

/**
 * Changes a password after checking the current one, revoking the account's API keys and writing
 * the "password changed" mail event (its id is returned) in the same batch. Ending sessions is the
 * caller's next step.
 */
export async function changePassword(
  db: Db,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  now: Date,
  audit: AuditContext,
): Promise<string> {
  const user = await db.select().from(users).where(eq(users.id, userId)).get();
  if (!user) throw new ApiError(404, "not_found", "No such user.");
  if (!(await verifyPassword(input.currentPassword, user.passwordHash)).ok) {
    throw new ApiError(403, "invalid_credentials", "The current password is wrong.");
  }
  const problem = passwordProblem(input.newPassword, user.email);
  if (problem) throw weakPassword(problem);
  const nowIso = now.toISOString();
  const mail = mailEvent(db, "account.password_changed", { userId, at: nowIso }, nowIso);
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: nowIso })
      .where(eq(users.id, userId)),
    revokeAllApiKeys(db, userId, nowIso),
    mail.statement,
    auditStatement(
      db,
      audit,
      { action: "user.password_changed", subjectId: userId, targetType: "user", targetId: userId },
      nowIso,
    ),
  ]);
  return mail.id;
}

/** A user's credit balance as an SQL value, so a read that needs it beside other columns stays one query. */
export function creditBalanceSql(userId: string | Placeholder) {
  return sql<number>`(SELECT coalesce(sum(${creditLedger.amount}), 0) FROM ${creditLedger} WHERE ${creditLedger.userId} = ${userId})`;
}

export async function creditBalance(db: Db, userId: string): Promise<number> {
  const row = await db.get<{ balance: number }>(sql`SELECT ${creditBalanceSql(userId)} AS balance`);
  return row?.balance ?? 0;
}

/** The user row with its credit balance, in one read (GET /me). */
export function findUserWithCredits(db: Db, userId: string) {
  return preparedOnce(db, "findUserWithCredits", (d) =>
    d
      .select({ ...getTableColumns(users), credits: creditBalanceSql(sql.placeholder("userId")) })
      .from(users)
      .where(eq(users.id, sql.placeholder("userId")))
      .prepare(),
  ).get({ userId });
}

export async function findActiveUser(db: Db, userId: string) {
  return preparedOnce(db, "findActiveUser", (d) =>
    d
      .select({
        id: users.id,
        email: users.email,
        role: users.role,
        disabledAt: users.disabledAt,
        emailVerifiedAt: users.emailVerifiedAt,
      })
      .from(users)
      .where(and(eq(users.id, sql.placeholder("userId")), sql`${users.disabledAt} IS NULL`))
      .prepare(),
  ).get({ userId });
}

let bootstrapped = false;
/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD (see `bootstrapAdmin`). Every API request
 * passes here, so it runs once per isolate; the conditional insert makes concurrent isolates harmless.
 */
export async function ensureBootstrapAdmin(db: Db, env: Env, options: { freeCredits: number; now: Date }) {
  if (bootstrapped || !env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) return;
  bootstrapped = true;
  await bootstrapAdmin(
    db,
    { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD, secret: env.AUTH_SECRET },
    options,
  );
}

/**
 * What the first-admin bootstrap did: `exists` (the deployment has an admin), `created`, `taken` (the
 * address already has an account — another isolate's bootstrap, or a user; it is not promoted), or
 * `failed` (e.g. ADMIN_PASSWORD fails the password policy). Never throws: the API keeps serving.
 */
export type BootstrapOutcome = "exists" | "created" | "taken" | "failed";

/** Creates a verified admin account for `admin` when the deployment has no admin, and logs the outcome. */
export async function bootstrapAdmin(
  db: Db,
  admin: { email: string; password: string; secret: string },
  options: { freeCredits: number; now: Date },
): Promise<BootstrapOutcome> {
  const existing = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.role, "admin"))
    .limit(1)
    .get();
  if (existing) return "exists";
  const email = normalizeEmail(admin.email);
  try {
    const { created } = await registerUser(
      db,
      { email, password: admin.password, name: "Administrator", role: "admin" },
      // The operator chose this address; there is no one to mail a link to yet.
      { ...options, secret: admin.secret, verified: true },
    );
    console.log(JSON.stringify({ level: "info", event: "bootstrap_admin", email, created }));
    return created ? "created" : "taken";
  } catch (error) {
    const reason = error instanceof ApiError ? error.detail : String(error);
    console.log(JSON.stringify({ level: "error", event: "bootstrap_admin_failed", email, reason }));
    return "failed";
  }
}
