import { and, eq, sql } from "drizzle-orm";
import { verifyPassword } from "../auth/password";
import type { Db } from "../db/client";
import { type Media, media, type Share, shares } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { constantTimeEqual } from "../lib/crypto";
import { mac } from "./shares";

/**
 * Opening a share link: the token checked against its HMAC (any doubt is a 404; expired and revoked
 * links say so with 410), a password when the link has one, the files it opens, and its counters.
 */
export const MAX_LISTED = 500;

const TOKEN = /^(shr_[0-9a-z]{20})\.(?:(\d{1,12})\.)?([A-Za-z0-9_-]{43})$/;

/** The share a token opens, live, or a 404/410 ApiError. */
export async function openShare(db: Db, secret: string, token: string, now: Date): Promise<Share> {
  const m = TOKEN.exec(token);
  if (!m) throw notFound("share link");
  // Groups 1 and 3 always take part in a match; group 2 (the expiry) is optional.
  const [, id, exp, sig] = m as RegExpExecArray & [string, string, string | undefined, string];
  const expected = await mac(secret, exp === undefined ? `v2|${id}` : `${id}.${exp}`);
  if (!constantTimeEqual(sig, expected)) throw notFound("share link");
  const share = await db.select().from(shares).where(eq(shares.id, id)).get();
  if (!share) throw notFound("share link");
  if (share.revokedAt) throw new ApiError(410, "share_revoked", "This share link was revoked.");
  if (share.expiresAt <= now.toISOString())
    throw new ApiError(410, "share_expired", "This share link has expired.");
  return share;
}

const live = (row: Media | undefined) => (row && !row.trashedAt ? row : undefined);

/** The files a share opens, in folder and name order (at most MAX_LISTED), live ones only. */
export async function sharedFiles(db: Db, share: Share): Promise<Media[]> {
  if (share.kind === "file") {
    const row = live(await db.select().from(media).where(eq(media.id, share.mediaId!)).get());
    if (!row) throw notFound("share link");
    return [row];
  }
  const scope =
    share.kind === "folder"
      ? sql`folder = ${share.folder} OR (folder >= ${`${share.folder}/`} AND folder < ${`${share.folder}0`})`
      : sql`id IN (SELECT media_id FROM share_items WHERE share_id = ${share.id})`;
  return db
    .select()
    .from(media)
    .where(and(eq(media.ownerId, share.ownerId), sql`trashed_at IS NULL`, sql`(${scope})`))
    .orderBy(media.folder, media.nameKey, media.id)
    .limit(MAX_LISTED)
    .all();
}

/** One file of a share (`?file=` on a folder's or selection's link; the file itself for a file link). */
export async function sharedFile(db: Db, share: Share, fileId: string | undefined): Promise<Media> {
  if (share.kind === "file") {
    const [row] = await sharedFiles(db, share);
    if (fileId && fileId !== row!.id) throw notFound("file in this share");
    return row!;
  }
  if (!fileId)
    throw new ApiError(422, "file_required", "This link opens several files: name one with `?file=<id>`.");
  const inScope =
    share.kind === "folder"
      ? sql`(folder = ${share.folder} OR (folder >= ${`${share.folder}/`} AND folder < ${`${share.folder}0`}))`
      : sql`id IN (SELECT media_id FROM share_items WHERE share_id = ${share.id})`;
  const row = live(
    await db
      .select()
      .from(media)
      .where(and(eq(media.id, fileId), eq(media.ownerId, share.ownerId), inScope))
      .get(),
  );
  if (!row) throw notFound("file in this share");
  return row;
}

/** The cookie that says this browser gave the link's password (bound to the password: changing it logs out). */
export const unlockCookieName = (share: Share) => `share_${share.id}`;
export const unlockValue = (secret: string, share: Share) =>
  mac(secret, `unlock|${share.id}|${share.passwordHash}`);

/** Whether the request may open a password-protected link: the unlock cookie, or `X-Share-Password`. */
export async function unlocked(
  secret: string,
  share: Share,
  proof: { cookie?: string; password?: string },
): Promise<boolean> {
  if (!share.passwordHash) return true;
  if (proof.cookie && constantTimeEqual(proof.cookie, await unlockValue(secret, share))) return true;
  if (proof.password) return (await verifyPassword(proof.password, share.passwordHash)).ok;
  return false;
}

export const passwordRequired = () =>
  new ApiError(401, "share_password_required", "This link has a password: send it in X-Share-Password.");

/** Counts a page view or a download (for "My shares"); the caller hands the promise to `waitUntil`. */
export function countAccess(db: Db, share: Share, what: "views" | "downloads", now: Date): Promise<void> {
  const column = what === "views" ? shares.views : shares.downloads;
  return db
    .update(shares)
    .set({ [what]: sql`${column} + 1`, lastAccessedAt: now.toISOString() })
    .where(eq(shares.id, share.id))
    .then(() => {});
}
