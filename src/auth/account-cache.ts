import type { Db } from "../db/client";
import { readMark, writtenSince } from "../db/write-watch";
import { findUserWithCredits } from "./accounts";

/**
 * A user's account as `GET /me` shows it (the user row, its credit balance), as this isolate last
 * read it (ADR 0013 step 10). `/me` is the read every screen of the web app and most API clients
 * repeat; with its token's session cached it was the one D1 read left on it. An entry serves for up
 * to SESSION_CACHE_SECONDS — the bound within which an access token already follows a change made
 * through another isolate — and not at all once this isolate has made any D1 write since it was read
 * (src/db/write-watch.ts): a purchase, an upload, a spent credit or a 2FA change made through
 * this isolate shows at once, without anyone having to name this cache. 0 turns it off.
 */
export type Account = NonNullable<Awaited<ReturnType<typeof findUserWithCredits>>>;

interface Entry {
  account: Account;
  mark: number;
  expiresMs: number;
}

const entries = new Map<string, Entry>();
const MAX_ENTRIES = 10_000;

/** The user's account from this isolate's cache when still current, else from D1 (then remembered). */
export async function readAccount(
  db: Db,
  userId: string,
  options: { seconds: number; nowMs: number },
): Promise<Account | undefined> {
  const entry = entries.get(userId);
  if (entry && entry.expiresMs > options.nowMs && !writtenSince(entry.mark)) return entry.account;
  if (entry) entries.delete(userId);
  const mark = readMark();
  const account = await findUserWithCredits(db, userId);
  if (account && options.seconds > 0 && !writtenSince(mark)) {
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(userId, { account, mark, expiresMs: options.nowMs + options.seconds * 1000 });
  }
  return account;
}
