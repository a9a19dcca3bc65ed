import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * `column` starts with `prefix`, as a range (`prefix <= column < successor`) that an index on the
 * column can serve. Not LIKE: D1 refuses LIKE/GLOB patterns over 50 bytes, which ordinary folder
 * paths reach, and LIKE needs escaping of user text. SQLite compares text as UTF-8 bytes, whose
 * order is the code points' order, so the successor is the prefix with its last code point + 1.
 */
export function startsWith(column: SQLWrapper, prefix: string): SQL {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined) return sql`1`;
  if (last >= 0x10ffff) return sql`substr(${column}, 1, ${points.length + 1}) = ${prefix}`;
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return sql`(${column} >= ${prefix} AND ${column} < ${points.join("") + String.fromCodePoint(next)})`;
}
