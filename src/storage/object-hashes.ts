import { and, eq, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../db/client";
import { storageObjectHashes } from "../db/storage-schema";

/** One object version an import read: what the store said it was, and what its bytes hash to. */
export interface ObjectHash {
  key: string;
  etag: string;
  size: number;
  sha256: string;
}

/**
 * The hashes recorded for these keys of a connection, by key: one query for a listing page (the
 * keys go in as one JSON parameter, so a page of 1,000 stays within D1's bound-parameter limit).
 */
export async function knownHashes(
  db: Db,
  connectionId: string,
  keys: readonly string[],
): Promise<Map<string, ObjectHash>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select({
      key: storageObjectHashes.key,
      etag: storageObjectHashes.etag,
      size: storageObjectHashes.size,
      sha256: storageObjectHashes.sha256,
    })
    .from(storageObjectHashes)
    .where(
      and(
        eq(storageObjectHashes.connectionId, connectionId),
        sql`${storageObjectHashes.key} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`,
      ),
    )
    .all();
  return new Map(rows.map((r) => [r.key, r]));
}

/** Whether the listed object is the version whose hash was recorded (an empty ETag proves nothing). */
export const sameVersion = (known: ObjectHash | undefined, listed: { etag: string; size: number }) =>
  known !== undefined && listed.etag !== "" && known.etag === listed.etag && known.size === listed.size;

/** Records (or replaces) the hashes of the objects a delivery read: one statement for its checkpoint batch. */
export function saveHashes(db: Db, connectionId: string, read: readonly ObjectHash[], now: Date) {
  return rawInBatch(
    db,
    sql`INSERT INTO storage_object_hashes (connection_id, key, etag, size, sha256, updated_at)
      SELECT ${connectionId}, value ->> 'key', value ->> 'etag', value ->> 'size', value ->> 'sha256', ${now.toISOString()}
      FROM json_each(${JSON.stringify(read.filter((r) => r.etag !== ""))}) WHERE true
      ON CONFLICT (connection_id, key) DO UPDATE SET etag = excluded.etag, size = excluded.size,
        sha256 = excluded.sha256, updated_at = excluded.updated_at`,
  );
}
