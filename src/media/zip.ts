import { makeZip, predictLength } from "client-zip";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Media } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { objectKeyOf } from "./blob-store";
import { contentDisposition, nameVariant } from "./names";

/**
 * A selection of files as one ZIP, streamed: each file's bytes are read from R2 only when the
 * archive reaches it, and stored (not recompressed: images and archives are compressed already).
 * Entries keep their folders (`projects/logo/a.png`); equal paths get `name (n).ext`. The length is
 * known in advance (Content-Length), and the selection is capped in files and bytes.
 */
export const MAX_ZIP_FILES = 500;

export async function zipSelection(
  db: Db,
  bucket: R2Bucket,
  ownerId: string,
  ids: string[],
  maxBytes: number,
): Promise<Response> {
  const unique = [...new Set(ids)];
  // Each file's bytes are in the object its blob row names (ADR 0008).
  const rows = await db.all<Media & { objectKey: string | null }>(
    sql`SELECT m.id, m.name, m.folder, m.size, m.sha256, m.updated_at AS updatedAt, b.object_key AS objectKey
      FROM media m JOIN blobs b ON b.sha256 = m.sha256 WHERE m.owner_id = ${ownerId}
      AND m.id IN (SELECT value FROM json_each(${JSON.stringify(unique)})) ORDER BY m.folder, m.name_key, m.id`,
  );
  if (rows.length !== unique.length) throw notFound("media (one or more ids)");
  const total = rows.reduce((n, r) => n + r.size, 0);
  if (total > maxBytes)
    throw new ApiError(
      413,
      "zip_too_large",
      `The selection holds ${total} bytes; a ZIP download is limited to ${maxBytes}. Select fewer files.`,
    );
  const used = new Set<string>();
  const entries = rows.map((r) => {
    const base = `${r.folder === "/" ? "" : `${r.folder.slice(1)}/`}`;
    let path = `${base}${r.name}`;
    for (let n = 2; used.has(path.toLowerCase()); n++) path = `${base}${nameVariant(r.name, n)}`;
    used.add(path.toLowerCase());
    return { row: r, name: path, lastModified: new Date(r.updatedAt), size: r.size };
  });
  async function* files() {
    for (const e of entries) {
      const object = await bucket.get(objectKeyOf(e.row));
      if (!object) throw new Error(`zip: the bytes of ${e.row.id} are missing`);
      yield { name: e.name, lastModified: e.lastModified, size: e.size, input: object.body };
    }
  }
  const length = predictLength(entries.map(({ name, lastModified, size }) => ({ name, lastModified, size })));
  return new Response(makeZip(files()), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Length": String(length),
      "Content-Disposition": contentDisposition("attachment", `edgecraft-${rows.length}-files.zip`),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
