import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, lt, or, type SQL, type SQLWrapper } from "drizzle-orm";
import { ApiError } from "../errors";
import { base64url, fromBase64url } from "./crypto";

/** `?limit=&cursor=` as API.md defines them. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ example: 50 }),
  cursor: z.string().max(512).optional(),
});

export interface PageCursor {
  /** The sort value of the last row returned. */
  after: string | number;
  /** The id of the last row returned, to break ties. */
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return base64url(new TextEncoder().encode(JSON.stringify([cursor.after, cursor.id])));
}

export function decodeCursor(raw: string | undefined): PageCursor | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(raw)));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === "string" || typeof parsed[0] === "number") &&
      typeof parsed[1] === "string"
    ) {
      return { after: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the clear error below
  }
  throw new ApiError(400, "invalid_cursor", "The cursor is not one this API handed out.");
}

/** Given `limit + 1` rows, returns the page and the cursor for the next one. */
export function toPage<T extends { id: string }>(
  rows: T[],
  limit: number,
  sortValue: (row: T) => string | number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ after: sortValue(last), id: last.id }) : null;
  return { items, nextCursor };
}

/**
 * Keyset paging over (sort value, id), the order every list uses: `after` selects the rows past the
 * cursor (undefined without one) and `orderBy` sorts them, both ascending or both `descending`.
 * With `numeric` set, the cursor's sort value must be a number exactly when the sort is numeric (a
 * cursor made for another sort order is a 400); without it the sort is text and the value is read
 * as text.
 */
export function keyset(
  sort: SQLWrapper,
  id: SQLWrapper,
  cursor: PageCursor | null,
  options: { descending?: boolean; numeric?: boolean } = {},
): { after: SQL | undefined; orderBy: SQL[] } {
  const orderBy = options.descending ? [desc(sort), desc(id)] : [asc(sort), asc(id)];
  if (!cursor) return { after: undefined, orderBy };
  if (options.numeric !== undefined && options.numeric !== (typeof cursor.after === "number"))
    throw new ApiError(400, "invalid_cursor", "The cursor belongs to a different sort order.");
  const value = options.numeric === undefined ? String(cursor.after) : cursor.after;
  const past = options.descending ? lt : gt;
  return { after: or(past(sort, value), and(eq(sort, value), past(id, cursor.id))), orderBy };
}
