import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, notFound } from "../errors";

/**
 * Bytes held by the owner's open resumable uploads: every part counts from the moment it is
 * announced (before its bytes are stored) until the upload completes, is aborted or expires. Used
 * plus reserved bytes never exceed the quota, so parts can't park more than the quota in R2.
 */
export function reservedBytes(ownerId: string, nowIso: string): SQL<number> {
  return sql<number>`(SELECT coalesce(sum(p.size), 0) FROM media_upload_parts p
    JOIN media_uploads u ON u.id = p.upload_id
    WHERE u.owner_id = ${ownerId} AND u.status IN ('open', 'completing') AND u.expires_at > ${nowIso})`;
}

export const quotaExceeded = (detail = "This file would take you over your storage quota.") =>
  new ApiError(413, "quota_exceeded", detail);

/** What the caller has left, read before streaming so a full account is refused before any byte is stored. */
export async function quotaLeft(
  db: Db,
  ownerId: string,
  now: Date,
): Promise<{ bytes: number; files: number }> {
  const user = await db
    .select({
      bytes: sql<number>`${users.quotaBytes} - ${users.usedBytes} - ${reservedBytes(ownerId, now.toISOString())}`,
      files: sql<number>`${users.quotaFiles} - ${users.usedFiles}`,
    })
    .from(users)
    .where(eq(users.id, ownerId))
    .get();
  if (!user) throw notFound("user");
  if (user.files <= 0) throw quotaExceeded("You have reached your file-count quota.");
  return user;
}
