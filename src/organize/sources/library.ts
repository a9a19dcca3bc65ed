import { and, asc, eq, gt, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { type Db, rawInBatch } from "../../db/client";
import { inList } from "../../db/in-list";
import { type OrganizePlan, organizeGroups } from "../../db/organize-schema";
import { startsWith } from "../../db/prefix";
import { blobs, media } from "../../db/schema";
import { countUnfingerprinted, fingerprintSome } from "../../media/fingerprints/store";
import { FINGERPRINT_VERSION, FINGERPRINTED_TYPES } from "../../media/fingerprints/types";
import { folderCondition } from "../../media/queries";
import { type FileSource, pairKey, type SourceFile } from "../source";
import { applyStatements, rollbackStatements } from "./library-changes";

/** Where `/Duplicates` moves redundant copies; a plan never looks inside unless asked for that folder. */
export const DUPLICATES_ROOT = "/Duplicates";

/** Which files a plan looks at: the owner's live files under `folder`, never the /Duplicates tree (unless asked). */
export function scopeCondition(plan: LibraryScope): SQL {
  const conditions: (SQL | undefined)[] = [eq(media.ownerId, plan.ownerId), isNull(media.trashedAt)];
  conditions.push(folderCondition(plan.folder, true));
  if (plan.folder !== DUPLICATES_ROOT && !plan.folder.startsWith(`${DUPLICATES_ROOT}/`)) {
    conditions.push(
      sql`NOT (${media.folder} = ${DUPLICATES_ROOT} OR ${startsWith(media.folder, `${DUPLICATES_ROOT}/`)})`,
    );
  }
  if (plan.mediaIds) conditions.push(inList(media.id, plan.mediaIds));
  return and(...conditions)!;
}

/** What a library source reads: the plan's owner, folder, files and match kind. */
export type LibraryScope = Pick<OrganizePlan, "jobId" | "ownerId" | "folder" | "mediaIds" | "match">;

/** The media library of the plan's owner as a file source (see FileSource); `bucket` holds the bytes. */
export function librarySource(db: Db, plan: LibraryScope, bucket: R2Bucket | null): FileSource {
  const scope = scopeCondition(plan);
  const withPixels = plan.match !== "bytes";
  const columns = {
    id: media.id,
    name: media.name,
    nameKey: media.nameKey,
    folder: media.folder,
    mime: media.mime,
    size: media.size,
    sha256: media.sha256,
    createdAt: media.createdAt,
    tags: media.tags,
    width: media.width,
    height: media.height,
    // Only plans that look for pixel twins read the blob row (a join per file otherwise for nothing).
    pixelHash: withPixels
      ? // Spelled out: drizzle drops table names of columns inside a select's sql, and "sha256 = sha256"
        // would then compare the blob with itself.
        sql<string | null>`(SELECT b.pixel_hash FROM blobs b WHERE b.sha256 = "media"."sha256")`
      : sql<string | null>`NULL`,
    takenAt: media.takenAt,
    takenLocal: sql<string | null>`json_extract(${media.metadata}, '$.takenLocal')`,
  };
  const images = and(scope, inList(media.mime, FINGERPRINTED_TYPES));
  return {
    supports: { tags: true, trash: true },
    maxChunk: null,
    async measure() {
      const row = await db
        .select({ files: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${media.size}), 0)` })
        .from(media)
        .where(scope)
        .get();
      return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
    },

    async measureGrouped() {
      const row = await db
        .select({ files: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${media.size}), 0)` })
        .from(organizeGroups)
        .innerJoin(media, eq(media.id, organizeGroups.mediaId))
        .where(eq(organizeGroups.jobId, plan.jobId))
        .get();
      return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
    },

    async page(after, limit, { unrecorded = false } = {}) {
      const conditions: (SQL | undefined)[] = [scope];
      // A row value, not `created_at > ? OR (created_at = ? AND id > ?)`: SQLite seeks the
      // (owner, created_at, id) index to the cursor only for the former; with the OR it walked the
      // owner's index from the start on every page, so a plan's pages cost O(N) each, O(N²) in all.
      if (after) conditions.push(sql`(${media.createdAt}, ${media.id}) > (${after[0]}, ${after[1]})`);
      // In the same query (a probe of the records' primary key per row) rather than a second one.
      if (unrecorded)
        conditions.push(
          sql`NOT EXISTS (SELECT 1 FROM organize_files f WHERE f.job_id = ${plan.jobId} AND f.media_id = "media"."id")`,
        );
      return (await db
        .select(columns)
        .from(media)
        .where(and(...conditions))
        .orderBy(asc(media.createdAt), asc(media.id))
        .limit(limit)
        .all()) as SourceFile[];
    },

    async byIds(ids) {
      const out: SourceFile[] = [];
      // 5000 ids keep the JSON list under D1's 100 KB statement limit.
      for (let i = 0; i < ids.length; i += 5000)
        out.push(
          ...((await db
            .select(columns)
            .from(media)
            .where(and(scope, inList(media.id, ids.slice(i, i + 5000))))
            .all()) as SourceFile[]),
        );
      return out;
    },

    exactGroups(match) {
      // One pass over the scope inside D1: twins are grouped by SHA-256 and size (the bytes), or by
      // the SHA-256 of their decoded pixels (the blob's fingerprint).
      if (match === "bytes")
        return [
          rawInBatch(
            db,
            sql`INSERT INTO organize_groups (job_id, media_id, group_key)
              SELECT ${plan.jobId}, media.id, media.sha256 FROM media
              JOIN (SELECT sha256 AS s, size AS z FROM media WHERE ${scope} GROUP BY sha256, size HAVING count(*) > 1) twins
                ON media.sha256 = twins.s AND media.size = twins.z
              WHERE ${scope}
              ON CONFLICT (job_id, media_id) DO NOTHING`,
          ),
        ];
      return [
        rawInBatch(
          db,
          sql`INSERT INTO organize_groups (job_id, media_id, group_key)
            SELECT ${plan.jobId}, media.id, blobs.pixel_hash FROM media JOIN blobs ON blobs.sha256 = media.sha256
            JOIN (SELECT blobs.pixel_hash AS p FROM media JOIN blobs ON blobs.sha256 = media.sha256
              WHERE ${scope} AND blobs.pixel_hash IS NOT NULL GROUP BY blobs.pixel_hash HAVING count(*) > 1) twins
              ON blobs.pixel_hash = twins.p
            WHERE ${scope}
            ON CONFLICT (job_id, media_id) DO NOTHING`,
        ),
      ];
    },

    async perceptualHashes(after, limit) {
      return (await db
        .select({ id: media.id, phash: sql<string>`${blobs.phash}`, colour: sql<string>`${blobs.colour}` })
        .from(media)
        .innerJoin(blobs, eq(blobs.sha256, media.sha256))
        .where(
          and(
            images,
            eq(blobs.fingerprintVersion, FINGERPRINT_VERSION),
            isNotNull(blobs.phash),
            isNotNull(blobs.colour),
            gt(media.id, after),
          ),
        )
        .orderBy(asc(media.id))
        .limit(limit)
        .all()) as { id: string; phash: string; colour: string }[];
    },

    countUnfingerprinted: () => countUnfingerprinted(db, scope),
    makeFingerprints: (budgetMs) => {
      if (!bucket) throw new Error("this library source reads no bytes");
      return fingerprintSome(db, bucket, scope, budgetMs);
    },

    async takenNames(pairs) {
      const pages: Promise<{ folder: string; nameKey: string }[]>[] = [];
      for (let i = 0; i < pairs.length; i += 1000) {
        const list = JSON.stringify(pairs.slice(i, i + 1000).map(([f, name]) => [f, name.toLowerCase()]));
        const wanted = sql`(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${list}))`;
        pages.push(
          db
            .select({ folder: media.folder, nameKey: media.nameKey })
            .from(media)
            .where(
              and(
                eq(media.ownerId, plan.ownerId),
                isNull(media.trashedAt),
                sql`(${media.folder}, ${media.nameKey}) IN ${wanted}`,
              ),
            )
            .all(),
        );
      }
      const taken = new Set<string>();
      for (const rows of await Promise.all(pages))
        for (const r of rows) taken.add(pairKey(r.folder, r.nameKey));
      return taken;
    },

    apply: async (lo, hi, protectedFolders, now) => applyStatements(db, plan, lo, hi, protectedFolders, now),
    rollback: async (lo, hi, protectedFolders, now) =>
      rollbackStatements(db, plan, lo, hi, protectedFolders, now),
  };
}
