import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../db/client";
import { devMail } from "../db/email-schema";
import { decodeCursor, toPage } from "../lib/pagination";

/** The `log` provider's messages, newest first, optionally to one address. */
export async function listDevMail(db: Db, query: { to?: string; limit: number; cursor?: string }) {
  const cursor = decodeCursor(query.cursor);
  const conditions = [];
  if (query.to) conditions.push(eq(devMail.toAddress, query.to.trim().toLowerCase()));
  if (cursor) {
    conditions.push(
      or(
        lt(devMail.createdAt, String(cursor.after)),
        and(eq(devMail.createdAt, String(cursor.after)), lt(devMail.id, cursor.id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(devMail)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(devMail.createdAt), desc(devMail.id))
    .limit(query.limit + 1)
    .all();
  return toPage(rows, query.limit, (m) => m.createdAt);
}
