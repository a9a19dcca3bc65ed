import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Media, media, type Share, shares } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { base64url, constantTimeEqual } from "../lib/crypto";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { getOwned } from "./library";

/**
 * Share links: `<shareId>.<expiresUnix>.<hmac>` where the HMAC-SHA-256 (keyed by AUTH_SECRET with a
 * purpose label) covers id and expiry. The token is not stored; the row makes it revocable.
 */
const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(`edgecraft/share-link/v1:${secret}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(secret, key);
  }
  return key;
}

async function sign(secret: string, id: string, exp: number): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    new TextEncoder().encode(`${id}.${exp}`),
  );
  return base64url(new Uint8Array(mac));
}

export function publicShare(share: Share, token: string | null, origin: string) {
  return {
    id: share.id,
    mediaId: share.mediaId,
    expiresAt: share.expiresAt,
    createdAt: share.createdAt,
    revokedAt: share.revokedAt,
    downloads: share.downloads,
    ...(token ? { token, url: `${origin}/api/v1/shares/${token}` } : {}),
  };
}

/** Live (unrevoked, unexpired) links one file may have: every link is a way in that must stay countable. */
export const MAX_SHARES_PER_FILE = 20;

export async function createShare(
  db: Db,
  secret: string,
  ownerId: string,
  mediaId: string,
  ttlSeconds: number,
  now: Date,
) {
  const row = await getOwned(db, ownerId, mediaId);
  if (row.trashedAt) throw new ApiError(409, "media_trashed", "Restore the file before sharing it.");
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const nowIso = now.toISOString();
  const share: Share = {
    id: newId("shr"),
    ownerId,
    mediaId,
    expiresAt: new Date(exp * 1000).toISOString(),
    createdAt: nowIso,
    revokedAt: null,
    downloads: 0,
  };
  // Count and insert in one statement, so parallel creates can't pass the cap together.
  const inserted = await db.run(
    sql`INSERT INTO shares (id, owner_id, media_id, expires_at, created_at, downloads)
      SELECT ${share.id}, ${ownerId}, ${mediaId}, ${share.expiresAt}, ${nowIso}, 0
      WHERE (SELECT count(*) FROM shares WHERE media_id = ${mediaId} AND revoked_at IS NULL
        AND expires_at > ${nowIso}) < ${MAX_SHARES_PER_FILE}`,
  );
  if (inserted.meta.changes !== 1)
    throw new ApiError(
      409,
      "too_many_shares",
      `This file has ${MAX_SHARES_PER_FILE} live share links; revoke one first.`,
    );
  return { share, token: `${share.id}.${exp}.${await sign(secret, share.id, exp)}` };
}

/** A file's links, newest first, a page at a time. */
export async function listShares(
  db: Db,
  ownerId: string,
  mediaId: string,
  query: { limit: number; cursor?: string },
) {
  await getOwned(db, ownerId, mediaId);
  const page = keyset(shares.createdAt, shares.id, decodeCursor(query.cursor), { descending: true });
  const rows = await db
    .select()
    .from(shares)
    .where(and(eq(shares.mediaId, mediaId), eq(shares.ownerId, ownerId), page.after))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (s) => s.createdAt);
}

export async function revokeShare(db: Db, ownerId: string, mediaId: string, shareId: string, now: Date) {
  const done = await db
    .update(shares)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(shares.id, shareId), eq(shares.mediaId, mediaId), eq(shares.ownerId, ownerId)))
    .returning({ id: shares.id });
  if (done.length === 0) throw notFound("share");
}

/**
 * A download through a share link: the file the token opens (see `resolveShare`), and, for a whole
 * download (not a range request, which resumes one), the link's download count going up. The count
 * is a promise the caller hands to `waitUntil`, so the answer never waits for that write.
 */
export async function openSharedDownload(
  db: Db,
  secret: string,
  token: string,
  options: { range: boolean; now: Date },
): Promise<{ media: Media; counted: Promise<void> | null }> {
  const row = await resolveShare(db, secret, token, options.now);
  if (options.range) return { media: row, counted: null };
  const id = token.split(".")[0]!;
  const counted = db
    .update(shares)
    .set({ downloads: sql`${shares.downloads} + 1` })
    .where(eq(shares.id, id))
    .then(() => {});
  return { media: row, counted };
}

/** Checks a token and returns the file it opens; any doubt is a 404 (expired/revoked say so: 410). */
export async function resolveShare(db: Db, secret: string, token: string, now: Date): Promise<Media> {
  const m = /^(shr_[0-9a-z]{20})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw notFound("share link");
  const [, id, expText, mac] = m as unknown as [string, string, string, string];
  const exp = Number(expText);
  if (!constantTimeEqual(mac, await sign(secret, id, exp))) throw notFound("share link");
  const row = await db
    .select({ share: shares, media })
    .from(shares)
    .innerJoin(media, eq(media.id, shares.mediaId))
    .where(eq(shares.id, id))
    .get();
  if (!row || row.share.expiresAt !== new Date(exp * 1000).toISOString()) throw notFound("share link");
  if (row.share.revokedAt) throw new ApiError(410, "share_revoked", "This share link was revoked.");
  if (exp * 1000 <= now.getTime()) throw new ApiError(410, "share_expired", "This share link has expired.");
  if (row.media.trashedAt) throw notFound("share link");
  return row.media;
}
