import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import type { OrganizePlan } from "../../db/organize-schema";
import { bumpCacheVersion } from "../../media/cache";
import { protectedCondition } from "../protect";

/**
 * Applying and undoing a chunk of a plan in the media library: set-based statements over the
 * records of media ids in (lo, hi], the same dozen whatever the chunk's size. Every file is
 * re-checked first; one that changed since planning (or now lies in a protected folder) is skipped
 * with a reason, never forced. Statements that change a file only list the columns that change
 * (an unchanged name is not rewritten: the FTS trigger and the name index would pay for it).
 */

/** The statements for the records of media ids in (lo, hi] of the plan. */
type ChunkStatements = (
  db: Db,
  plan: Pick<OrganizePlan, "jobId" | "ownerId">,
  lo: string,
  hi: string,
  protectedFolders: string[],
  now: Date,
) => BatchItem<"sqlite">[];

const MOVES = sql`('move', 'dup-move')`;
const TAGGING = sql`('move', 'tag')`;

export const applyStatements: ChunkStatements = (db, plan, lo, hi, protectedFolders, now) => {
  const nowIso = now.toISOString();
  const owner = plan.ownerId;
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${lo} AND media_id <= ${hi} AND status = 'planned'`;
  const f = sql`f.job_id = ${plan.jobId} AND f.media_id > ${lo} AND f.media_id <= ${hi} AND f.status = 'planned'`;
  const fileIs = (cond: SQL) =>
    sql`EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id AND m.owner_id = ${owner} AND ${cond})`;
  const sameAsPlanned = sql`m.folder = organize_files.original_folder AND m.name = organize_files.original_name
    AND m.sha256 = organize_files.sha256 AND m.trashed_at IS NULL
    AND (organize_files.new_tags IS NULL OR m.tags = organize_files.original_tags)`;
  const mediaOf = sql`f.media_id = media.id AND media.owner_id = ${owner}`;
  return [
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'skipped', updated_at = ${nowIso},
        reason = CASE WHEN ${fileIs(sql`1`)} THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND NOT ${fileIs(sameAsPlanned)}`,
    ),
    // Protected since the plan was made: the file's folder, or where it would go.
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'skipped', reason = 'protected', updated_at = ${nowIso}
        WHERE ${inRange} AND (${protectedCondition(sql`original_folder`, protectedFolders)}
          OR (new_folder IS NOT NULL AND ${protectedCondition(sql`new_folder`, protectedFolders)}))`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.new_folder, updated_at = ${nowIso}
        FROM organize_files f WHERE ${f} AND ${mediaOf} AND f.action IN ${MOVES} AND f.new_name = f.original_name`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.new_folder, name = f.new_name, name_key = f.new_name_key, updated_at = ${nowIso}
        FROM organize_files f WHERE ${f} AND ${mediaOf} AND f.action IN ${MOVES} AND f.new_name <> f.original_name`,
    ),
    ...tagStatements(db, plan, f, "new_tags", TAGGING, nowIso),
    // Copies: a new row on the same blob (one more reference), quota counted (a CHECK refuses going over).
    rawInBatch(
      db,
      sql`UPDATE users SET used_bytes = used_bytes + (SELECT coalesce(sum(f.size), 0) FROM organize_files f WHERE ${f} AND f.action = 'copy'),
        used_files = used_files + (SELECT count(*) FROM organize_files f WHERE ${f} AND f.action = 'copy')
        WHERE id = ${owner}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE blobs SET ref_count = ref_count + (SELECT count(*) FROM organize_files f WHERE ${f} AND f.action = 'copy' AND f.sha256 = blobs.sha256)
        WHERE sha256 IN (SELECT f.sha256 FROM organize_files f WHERE ${f} AND f.action = 'copy')`,
    ),
    rawInBatch(
      db,
      sql`INSERT INTO media (id, owner_id, name, name_key, folder, mime, kind, size, sha256, width, height, tags, created_at, updated_at)
        SELECT f.copy_id, m.owner_id, f.new_name, f.new_name_key, f.new_folder, m.mime, m.kind, m.size, m.sha256,
          m.width, m.height, m.tags, ${nowIso}, ${nowIso}
        FROM organize_files f JOIN media m ON m.id = f.media_id AND m.owner_id = ${owner}
        WHERE ${f} AND f.action = 'copy'`,
    ),
    rawInBatch(
      db,
      sql`INSERT OR IGNORE INTO media_tags (media_id, owner_id, tag)
        SELECT f.copy_id, ${owner}, t.value FROM organize_files f JOIN media m ON m.id = f.media_id, json_each(m.tags) t
        WHERE ${f} AND f.action = 'copy'`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = ${nowIso}, updated_at = ${nowIso}
        FROM organize_files f WHERE ${f} AND ${mediaOf} AND f.action IN ('trash', 'dup-trash')`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET stack_of = f.dup_of, updated_at = ${nowIso}
        FROM organize_files f WHERE ${f} AND ${mediaOf} AND f.action = 'dup-stack'`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = CASE action WHEN 'copy' THEN 'copied' WHEN 'tag' THEN 'tagged'
          WHEN 'trash' THEN 'trashed' WHEN 'dup-trash' THEN 'trashed' WHEN 'dup-stack' THEN 'stacked' ELSE 'moved' END,
        applied_at = ${nowIso}, updated_at = ${nowIso} WHERE ${inRange}`,
    ),
    bumpCacheVersion(db, owner),
  ];
};

/** Sets the tags of the records' files to `column` (new or original tags), and their indexed copies. */
function tagStatements(
  db: Db,
  plan: Pick<OrganizePlan, "jobId" | "ownerId">,
  f: SQL,
  column: string,
  actions: SQL,
  nowIso: string,
) {
  const tags = sql.raw(`f.${column}`);
  const owner = plan.ownerId;
  const changed = sql`${f} AND f.action IN ${actions} AND ${tags} IS NOT NULL`;
  return [
    rawInBatch(
      db,
      sql`UPDATE media SET tags = ${tags}, updated_at = ${nowIso}
        FROM organize_files f WHERE ${changed} AND f.media_id = media.id AND media.owner_id = ${owner}`,
    ),
    rawInBatch(
      db,
      sql`DELETE FROM media_tags WHERE owner_id = ${owner} AND media_id IN (SELECT f.media_id FROM organize_files f WHERE ${changed})`,
    ),
    rawInBatch(
      db,
      sql`INSERT OR IGNORE INTO media_tags (media_id, owner_id, tag)
        SELECT f.media_id, ${owner}, t.value FROM organize_files f, json_each(${tags}) t WHERE ${changed}`,
    ),
  ];
}

/**
 * Undoes a chunk. A file no longer as the plan left it (moved, renamed, re-tagged, replaced, gone),
 * one in or bound for a protected folder, and a copy that is now the last reference to its bytes are
 * `rollback-skipped` with a reason; the rest go back: folder and name, tags, trash, stack; copies
 * are deleted (quota and the blob reference go back down).
 */
export const rollbackStatements: ChunkStatements = (db, plan, lo, hi, protectedFolders, now) => {
  const nowIso = now.toISOString();
  const owner = plan.ownerId;
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${lo} AND media_id <= ${hi}`;
  const fIn = sql`f.job_id = ${plan.jobId} AND f.media_id > ${lo} AND f.media_id <= ${hi}`;
  const file = (id: SQL, cond: SQL) =>
    sql`EXISTS (SELECT 1 FROM media m WHERE m.id = ${id} AND m.owner_id = ${owner} AND ${cond})`;
  const self = sql`organize_files.media_id`;
  const copy = sql`organize_files.copy_id`;
  const skip = (statuses: SQL, unchanged: SQL, exists: SQL) =>
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', updated_at = ${nowIso},
        reason = CASE WHEN ${exists} THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND status IN ${statuses} AND NOT ${unchanged}`,
    );
  const tagsAsLeft = sql`(organize_files.new_tags IS NULL OR m.tags = organize_files.new_tags)`;
  const mediaOf = sql`f.media_id = media.id AND media.owner_id = ${owner}`;
  const copies = sql`organize_files f JOIN media m ON m.id = f.copy_id AND m.owner_id = ${owner} WHERE ${fIn} AND f.status = 'copied'`;
  return [
    skip(
      sql`('moved')`,
      file(
        self,
        sql`m.folder = organize_files.new_folder AND m.name = organize_files.new_name AND m.sha256 = organize_files.sha256 AND ${tagsAsLeft}`,
      ),
      file(self, sql`1`),
    ),
    skip(
      sql`('tagged')`,
      file(self, sql`m.sha256 = organize_files.sha256 AND ${tagsAsLeft}`),
      file(self, sql`1`),
    ),
    skip(sql`('trashed')`, file(self, sql`1`), file(self, sql`1`)),
    skip(sql`('stacked')`, file(self, sql`m.stack_of = organize_files.dup_of`), file(self, sql`1`)),
    skip(
      sql`('copied')`,
      file(
        copy,
        sql`m.folder = organize_files.new_folder AND m.name = organize_files.new_name AND m.sha256 = organize_files.sha256`,
      ),
      file(copy, sql`1`),
    ),
    // Never delete the last reference to bytes: a copy whose original is gone stays.
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', reason = 'last-copy', updated_at = ${nowIso}
        WHERE ${inRange} AND status = 'copied'
          AND (SELECT ref_count FROM blobs WHERE sha256 = organize_files.sha256) <= 1`,
    ),
    // Where the file is now, or where it would go back to, became protected.
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', reason = 'protected', updated_at = ${nowIso}
        WHERE ${inRange} AND status IN ('moved', 'copied', 'tagged', 'trashed', 'stacked')
          AND (${protectedCondition(sql`original_folder`, protectedFolders)}
            OR (status IN ('moved', 'copied') AND ${protectedCondition(sql`new_folder`, protectedFolders)}))`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.original_folder, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fIn} AND f.status = 'moved' AND ${mediaOf} AND f.new_name = f.original_name`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.original_folder, name = f.original_name, name_key = f.original_name_key,
        updated_at = ${nowIso}
        FROM organize_files f WHERE ${fIn} AND f.status = 'moved' AND ${mediaOf} AND f.new_name <> f.original_name`,
    ),
    ...tagStatements(
      db,
      plan,
      sql`${fIn} AND f.status IN ('moved', 'tagged')`,
      "original_tags",
      sql`('move', 'tag')`,
      nowIso,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = NULL, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fIn} AND f.status = 'trashed' AND ${mediaOf}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET stack_of = NULL, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fIn} AND f.status = 'stacked' AND ${mediaOf}`,
    ),
    // Copies go: quota and blob references first (they read the rows), then the rows.
    rawInBatch(
      db,
      sql`UPDATE users SET used_bytes = used_bytes - (SELECT coalesce(sum(m.size), 0) FROM ${copies}),
        used_files = used_files - (SELECT count(*) FROM ${copies}) WHERE id = ${owner}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE blobs SET ref_count = ref_count - (SELECT count(*) FROM ${copies} AND m.sha256 = blobs.sha256)
        WHERE sha256 IN (SELECT f.sha256 FROM organize_files f WHERE ${fIn} AND f.status = 'copied')`,
    ),
    rawInBatch(
      db,
      sql`DELETE FROM media_tags WHERE owner_id = ${owner} AND media_id IN (SELECT f.copy_id FROM organize_files f WHERE ${fIn} AND f.status = 'copied')`,
    ),
    rawInBatch(
      db,
      sql`DELETE FROM media WHERE owner_id = ${owner} AND id IN (SELECT f.copy_id FROM organize_files f WHERE ${fIn} AND f.status = 'copied')`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rolled-back', updated_at = ${nowIso}
        WHERE ${inRange} AND status IN ('moved', 'copied', 'tagged', 'trashed', 'stacked')`,
    ),
    bumpCacheVersion(db, owner),
  ];
};
