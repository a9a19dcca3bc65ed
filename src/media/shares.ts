import { and, eq, isNull, sql } from "drizzle-orm";
import { type AuditContext, auditStatement } from "../audit/record";
import { hashPassword } from "../auth/password";
import { changesOf, type Db, rawInBatch } from "../db/client";
import { type Share, shares } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { base64url } from "../lib/crypto";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { getOwned } from "./library";

/**
 * Share links: the token is `<shareId>.<hmac>`, an HMAC-SHA-256 of the id (keyed by AUTH_SECRET with a
 * purpose label), so the owner's "My shares" can show the link again and nothing secret is stored.
 * Expiry, password and revocation live in the row, so a link can be extended or revoked without
 * changing its URL. Tokens of the first format, `<id>.<expiresUnix>.<hmac>`, keep working (the row's
 * expiry governs them too). A share opens one file, a folder (with its sub-folders) or a selection.
 */
// Imported keys, not pending imports: a request never awaits work another request started.
const keys = new Map<string, CryptoKey>();
async function hmacKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(`edgecraft/share-link/v1:${secret}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  keys.set(secret, key);
  return key;
}

export async function mac(secret: string, message: string): Promise<string> {
  const bytes = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(message));
  return base64url(new Uint8Array(bytes));
}

export const tokenFor = async (secret: string, id: string) => `${id}.${await mac(secret, `v2|${id}`)}`;

export type ShareTarget =
  | { kind: "file"; mediaId: string }
  | { kind: "folder"; folder: string }
  | { kind: "selection"; mediaIds: string[] };

export interface ShareSummary {
  /** The file's name, the folder's path, or the number of files of a selection. */
  name: string;
  files: number;
}

export function publicShare(share: Share, token: string, origin: string, summary: ShareSummary) {
  return {
    id: share.id,
    kind: share.kind,
    mediaId: share.mediaId,
    folder: share.folder,
    name: summary.name,
    files: summary.files,
    expiresAt: share.expiresAt,
    createdAt: share.createdAt,
    revokedAt: share.revokedAt,
    downloads: share.downloads,
    views: share.views,
    lastAccessedAt: share.lastAccessedAt,
    hasPassword: share.passwordHash !== null,
    token,
    url: `${origin}/api/v1/shares/${token}`,
  };
}

/** Live (unrevoked, unexpired) links one file may have: every link is a way in that must stay countable. */
export const MAX_SHARES_PER_FILE = 20;
export const MAX_SELECTION = 500;

export interface ShareOptions {
  ttlSeconds: number;
  password?: string;
}

const ttlCheck = (ttlSeconds: number, maxTtlSeconds: number) => {
  if (ttlSeconds > maxTtlSeconds)
    throw new ApiError(422, "validation_failed", `Links live at most ${maxTtlSeconds} seconds.`, {
      errors: [{ path: "expiresInSeconds", message: `At most ${maxTtlSeconds}.`, code: "too_big" }],
    });
};

export async function createShare(
  db: Db,
  secret: string,
  ownerId: string,
  target: ShareTarget,
  options: ShareOptions & { maxTtlSeconds: number },
  now: Date,
  audit: AuditContext,
) {
  ttlCheck(options.ttlSeconds, options.maxTtlSeconds);
  const nowIso = now.toISOString();
  const share: Share = {
    id: newId("shr"),
    ownerId,
    kind: target.kind,
    mediaId: target.kind === "file" ? target.mediaId : null,
    folder: target.kind === "folder" ? target.folder : null,
    passwordHash: options.password ? await hashPassword(options.password) : null,
    expiresAt: new Date(now.getTime() + options.ttlSeconds * 1000).toISOString(),
    createdAt: nowIso,
    revokedAt: null,
    downloads: 0,
    views: 0,
    lastAccessedAt: null,
  };
  const insert = sql`INSERT INTO shares (id, owner_id, kind, media_id, folder, password_hash, expires_at, created_at)
    SELECT ${share.id}, ${ownerId}, ${share.kind}, ${share.mediaId}, ${share.folder}, ${share.passwordHash}, ${share.expiresAt}, ${nowIso}`;
  // The audit row goes in each path's batch, written only when the share row was.
  const audited = auditStatement(
    db,
    audit,
    {
      action: "share.created",
      subjectId: ownerId,
      targetType: "share",
      targetId: share.id,
      detail: { kind: share.kind, mediaId: share.mediaId, folder: share.folder, expiresAt: share.expiresAt },
    },
    nowIso,
    sql`EXISTS (SELECT 1 FROM shares WHERE id = ${share.id})`,
  );
  if (target.kind === "file") {
    const row = await getOwned(db, ownerId, target.mediaId);
    if (row.trashedAt) throw new ApiError(409, "media_trashed", "Restore the file before sharing it.");
    // Count and insert in one statement, so parallel creates can't pass the cap together.
    const [inserted] = await db.batch([
      rawInBatch(
        db,
        sql`${insert} WHERE (SELECT count(*) FROM shares WHERE media_id = ${target.mediaId} AND revoked_at IS NULL
        AND expires_at > ${nowIso}) < ${MAX_SHARES_PER_FILE}`,
      ),
      audited,
    ]);
    if (inserted.meta.changes !== 1)
      throw new ApiError(
        409,
        "too_many_shares",
        `This file has ${MAX_SHARES_PER_FILE} live share links; revoke one first.`,
      );
  } else if (target.kind === "folder") {
    const exists = await db.get<{ n: number }>(
      sql`SELECT (SELECT count(*) FROM folders WHERE owner_id = ${ownerId} AND path = ${target.folder})
        + (SELECT count(*) FROM media WHERE owner_id = ${ownerId} AND trashed_at IS NULL
          AND (folder = ${target.folder} OR (folder >= ${`${target.folder}/`} AND folder < ${`${target.folder}0`}))) AS n`,
    );
    if (!exists?.n) throw notFound("folder");
    await db.batch([rawInBatch(db, insert), audited]);
  } else {
    const ids = JSON.stringify([...new Set(target.mediaIds)]);
    const wanted = new Set(target.mediaIds).size;
    const [created] = await db.batch([
      rawInBatch(
        db,
        sql`${insert} WHERE (SELECT count(*) FROM media WHERE owner_id = ${ownerId} AND trashed_at IS NULL
          AND id IN (SELECT value FROM json_each(${ids}))) = ${wanted}`,
      ),
      rawInBatch(
        db,
        sql`INSERT INTO share_items (share_id, media_id) SELECT ${share.id}, value FROM json_each(${ids})
          WHERE EXISTS (SELECT 1 FROM shares WHERE id = ${share.id})`,
      ),
      audited,
    ]);
    if ((changesOf(created) ?? 0) !== 1) throw notFound("media (one or more ids)");
  }
  return { share, token: await tokenFor(secret, share.id) };
}

/** What "My shares" and the answers name a share by. */
export async function summarize(db: Db, share: Share): Promise<ShareSummary> {
  if (share.kind === "file") {
    const row = await db.get<{ name: string }>(sql`SELECT name FROM media WHERE id = ${share.mediaId}`);
    return { name: row?.name ?? "", files: 1 };
  }
  if (share.kind === "folder") return { name: share.folder ?? "/", files: 0 };
  const row = await db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM share_items WHERE share_id = ${share.id}`,
  );
  return { name: `${row?.n ?? 0} files`, files: row?.n ?? 0 };
}

/** Your links, newest first, a page at a time (all of them, or one file's). */
export async function listShares(
  db: Db,
  ownerId: string,
  query: { limit: number; cursor?: string; mediaId?: string },
) {
  if (query.mediaId) await getOwned(db, ownerId, query.mediaId);
  const page = keyset(shares.createdAt, shares.id, decodeCursor(query.cursor), { descending: true });
  const rows = await db
    .select()
    .from(shares)
    .where(
      and(
        eq(shares.ownerId, ownerId),
        query.mediaId ? eq(shares.mediaId, query.mediaId) : undefined,
        page.after,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (s) => s.createdAt);
}

export async function revokeShare(
  db: Db,
  ownerId: string,
  shareId: string,
  now: Date,
  audit: AuditContext,
  mediaId?: string,
) {
  const nowIso = now.toISOString();
  const [done] = await db.batch([
    db
      .update(shares)
      .set({ revokedAt: nowIso })
      .where(
        and(
          eq(shares.id, shareId),
          eq(shares.ownerId, ownerId),
          mediaId ? eq(shares.mediaId, mediaId) : undefined,
          isNull(shares.revokedAt),
        ),
      )
      .returning({ id: shares.id }),
    auditStatement(
      db,
      audit,
      { action: "share.revoked", subjectId: ownerId, targetType: "share", targetId: shareId },
      nowIso,
      sql`changes() = 1`,
    ),
  ]);
  if (done.length === 0) {
    // Revoking twice is fine; someone else's (or no) link is not.
    const mine = await ownedShare(db, ownerId, shareId);
    if (mediaId && mine.mediaId !== mediaId) throw notFound("share");
  }
}

/** `PATCH /me/shares/{id}`: a new expiry, counted from now; the link's URL stays the same. */
export async function extendShare(
  db: Db,
  ownerId: string,
  shareId: string,
  options: { ttlSeconds: number; maxTtlSeconds: number },
  now: Date,
): Promise<Share> {
  ttlCheck(options.ttlSeconds, options.maxTtlSeconds);
  const expiresAt = new Date(now.getTime() + options.ttlSeconds * 1000).toISOString();
  const [row] = await db
    .update(shares)
    .set({ expiresAt })
    .where(and(eq(shares.id, shareId), eq(shares.ownerId, ownerId), isNull(shares.revokedAt)))
    .returning();
  if (row) return row;
  await ownedShare(db, ownerId, shareId);
  throw new ApiError(409, "share_revoked", "A revoked link can't be extended; create a new one.");
}

export async function ownedShare(db: Db, ownerId: string, shareId: string): Promise<Share> {
  const row = await db
    .select()
    .from(shares)
    .where(and(eq(shares.id, shareId), eq(shares.ownerId, ownerId)))
    .get();
  if (!row) throw notFound("share");
  return row;
}
