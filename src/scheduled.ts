import { and, isNotNull, lt } from "drizzle-orm";
import { getDb } from "./db/client";
import { refreshTokens, sessions } from "./db/schema";
import { recoverJobs } from "./jobs/runner";
import { runMediaHousekeeping } from "./media/housekeeping";
import { purgeExpiredIdempotencyKeys } from "./middleware/idempotency";

/** Housekeeping on the cron: job recovery, replay answers and sessions past their life, media upkeep. */
export async function runScheduled(env: Env, now: Date): Promise<void> {
  const db = getDb(env.DB);
  await recoverJobs(env, now);
  const nowIso = now.toISOString();
  const monthAgo = new Date(now.getTime() - 30 * 86_400_000).toISOString();
  await purgeExpiredIdempotencyKeys(db, now);
  await db.delete(refreshTokens).where(lt(refreshTokens.expiresAt, nowIso));
  // Ended sessions stay a month for the audit trail, then go.
  await db.delete(sessions).where(and(isNotNull(sessions.revokedAt), lt(sessions.revokedAt, monthAgo)));
  await db.delete(sessions).where(lt(sessions.absoluteExpiresAt, monthAgo));
  await runMediaHousekeeping(env, now);
}
