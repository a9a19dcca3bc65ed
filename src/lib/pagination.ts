import { z } from "@hono/zod-openapi";
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
