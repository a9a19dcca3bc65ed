import { and, asc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import { inList } from "../../db/in-list";
import { type FileAction, type FileStatus, type OrganizePlan, organizeFiles } from "../../db/organize-schema";
import { startsWith } from "../../db/prefix";
import { media } from "../../db/schema";
import { normalizeFolder } from "../../media/names";
import { folderCondition } from "../../media/queries";
import { categorize, type Rule } from "../categories";
import { renderFolder } from "../template";
import type { ChunkResult } from "./chunk";
import { resolveConflicts } from "./conflicts";

/**
 * The plan stages: `duplicates` (groups of identical files, and which one is kept) then `scan` (every
 * other file in scope), each chunk writing one record per file — its category, destination and
 * action — before anything moves.
 */

export const DUPLICATES_ROOT = "/Duplicates";

export interface MediaRow {
  id: string;
  name: string;
  nameKey: string;
  folder: string;
  mime: string;
  size: number;
  sha256: string;
  createdAt: string;
  tags: string[];
  /** The camera's wall-clock time the photo was taken (metadata.takenLocal), for `{taken.yyyy}`. */
  takenLocal: string | null;
}

/** One planned record, before it is written. */
export interface PlannedFile {
  m: MediaRow;
  category: string;
  action: FileAction;
  status: FileStatus;
  newFolder: string | null;
  newName: string | null;
  dupGroup: string | null;
  dupOf: string | null;
  reason: string | null;
}

const mediaColumns = {
  id: media.id,
  name: media.name,
  nameKey: media.nameKey,
  folder: media.folder,
  mime: media.mime,
  size: media.size,
  sha256: media.sha256,
  createdAt: media.createdAt,
  tags: media.tags,
  takenLocal: sql<string | null>`json_extract(${media.metadata}, '$.takenLocal')`,
};

/** Which files a plan looks at: the owner's live files under `folder`, never the /Duplicates tree (unless asked). */
export function scopeCondition(plan: OrganizePlan): SQL {
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

/**
 * Duplicate groups (same size and SHA-256; every media row has its hash from upload) in SHA order,
 * as many groups as fit in one chunk (always at least one). The keep policy picks the original;
 * the others are reported, sent to /Duplicates/<their folder>, or trashed.
 */
export async function duplicatesChunk(
  db: Db,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const scope = scopeCondition(plan);
  let total: number | undefined;
  if (plan.cursor === "" && plan.done === 0) {
    const row = await db.select({ n: sql<number>`count(*)` }).from(media).where(scope).get();
    total = row?.n ?? 0;
  }
  // At most one chunk's worth of groups (each has ≥ 2 files); at least 200 so a small chunk still moves on.
  const groupLimit = Math.max(200, chunkSize);
  const groups = await db
    .select({ sha256: media.sha256, n: sql<number>`count(*)` })
    .from(media)
    .where(and(scope, gt(media.sha256, plan.cursor)))
    .groupBy(media.sha256, media.size)
    .having(sql`count(*) > 1`)
    .orderBy(asc(media.sha256))
    .limit(groupLimit)
    .all();
  const taken: string[] = [];
  let files = 0;
  for (const g of groups) {
    if (taken.length > 0 && files + g.n > chunkSize) break;
    taken.push(g.sha256);
    files += g.n;
  }
  const finished = taken.length === groups.length && groups.length < groupLimit;
  if (taken.length === 0) return { statements: [], next: { stage: "scan", cursor: "" }, processed: 0, total };

  const rows = (await db
    .select(mediaColumns)
    .from(media)
    .where(and(scope, inList(media.sha256, taken)))
    .all()) as MediaRow[];
  const bySha = new Map<string, MediaRow[]>();
  for (const row of rows) bySha.set(row.sha256, [...(bySha.get(row.sha256) ?? []), row]);

  const rules = plan.rules as Rule[];
  const planned: PlannedFile[] = [];
  for (const [sha, members] of bySha) {
    members.sort(keepOrder(plan.keep));
    const keeper = members[0]!;
    for (const m of members) {
      const file = planFile(plan, rules, m);
      file.dupGroup = sha;
      planned.push(file);
      if (m === keeper) continue;
      file.dupOf = keeper.id;
      if (plan.duplicates === "move") {
        file.action = "dup-move";
        file.status = "planned";
        file.newFolder = duplicatesFolder(m.folder);
        file.newName = m.name;
      } else if (plan.duplicates === "trash") {
        Object.assign(file, { action: "dup-trash", status: "planned", newFolder: null, newName: null });
      }
    }
  }
  await resolveConflicts(db, plan, planned);
  return {
    statements: insertRecords(db, plan, planned, now),
    next: finished ? { stage: "scan", cursor: "" } : { stage: "duplicates", cursor: taken.at(-1)! },
    processed: 0,
    total,
  };
}

/** `oldest` / `newest` by upload time, `shortest-path` by path length; ties go to the older, then the id. */
function keepOrder(keep: OrganizePlan["keep"]) {
  const path = (m: MediaRow) => (m.folder === "/" ? 0 : m.folder.length) + 1 + m.name.length;
  return (a: MediaRow, b: MediaRow) => {
    const byTime = a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
    if (keep === "newest") return -byTime;
    if (keep === "shortest-path") return path(a) - path(b) || byTime;
    return byTime;
  };
}

function duplicatesFolder(folder: string): string {
  try {
    return normalizeFolder(`${DUPLICATES_ROOT}${folder === "/" ? "" : folder}`);
  } catch {
    return DUPLICATES_ROOT;
  }
}

/** Every other file in scope, one page by upload time; files already planned as duplicates are skipped. */
export async function scanChunk(
  db: Db,
  plan: OrganizePlan,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const after = plan.cursor ? (JSON.parse(plan.cursor) as [string, string]) : null;
  const conditions: (SQL | undefined)[] = [scopeCondition(plan)];
  if (after)
    conditions.push(
      or(gt(media.createdAt, after[0]), and(eq(media.createdAt, after[0]), gt(media.id, after[1]))),
    );
  const page = (await db
    .select(mediaColumns)
    .from(media)
    .where(and(...conditions))
    .orderBy(asc(media.createdAt), asc(media.id))
    .limit(chunkSize)
    .all()) as MediaRow[];
  const last = page.at(-1);
  const next: ChunkResult["next"] =
    page.length < chunkSize || !last
      ? { stage: plan.dryRun ? "finish" : "apply", cursor: "" }
      : { stage: "scan", cursor: JSON.stringify([last.createdAt, last.id]) };
  if (page.length === 0) return { statements: [], next, processed: 0 };
  const already = new Set(
    (
      await db
        .select({ id: organizeFiles.mediaId })
        .from(organizeFiles)
        .where(
          and(
            eq(organizeFiles.jobId, plan.jobId),
            inList(
              organizeFiles.mediaId,
              page.map((m) => m.id),
            ),
          ),
        )
        .all()
    ).map((r) => r.id),
  );
  const rules = plan.rules as Rule[];
  const planned = page.filter((m) => !already.has(m.id)).map((m) => planFile(plan, rules, m));
  await resolveConflicts(db, plan, planned);
  return {
    statements: planned.length ? insertRecords(db, plan, planned, now) : [],
    next,
    processed: page.length,
  };
}

/** Category and destination of one file, before name conflicts are looked at. */
function planFile(plan: OrganizePlan, rules: Rule[], m: MediaRow): PlannedFile {
  const rule = categorize(rules, m);
  const folder = renderFolder(rule.folder ?? plan.template, {
    category: rule.name,
    createdAt: m.createdAt,
    takenLocal: m.takenLocal,
    name: m.name,
    tags: m.tags,
  });
  const inPlace = folder === m.folder;
  return {
    m,
    category: rule.name,
    action: inPlace ? "none" : "move",
    status: inPlace ? "unchanged" : "planned",
    newFolder: folder,
    newName: m.name,
    dupGroup: null,
    dupOf: null,
    reason: null,
  };
}

/**
 * A chunk's records, 1000 per statement (one JSON parameter each: D1 caps bound parameters at 100 and
 * a string value at 2 MB; 1000 records are ~400 KB).
 */
function insertRecords(db: Db, plan: OrganizePlan, files: PlannedFile[], now: Date) {
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < files.length; i += 1000)
    statements.push(insertRecordPage(db, plan, files.slice(i, i + 1000), now));
  return statements;
}

function insertRecordPage(db: Db, plan: OrganizePlan, files: PlannedFile[], now: Date) {
  const rows = files.map((f) => ({
    id: f.m.id,
    of: f.m.folder,
    on: f.m.name,
    ok: f.m.nameKey,
    nf: f.newFolder,
    nn: f.newName,
    nk: f.newName?.toLowerCase() ?? null,
    c: f.category,
    mi: f.m.mime,
    s: f.m.size,
    h: f.m.sha256,
    t: f.m.createdAt,
    a: f.action,
    g: f.dupGroup,
    d: f.dupOf,
    st: f.status,
    r: f.reason,
  }));
  return rawInBatch(
    db,
    sql`INSERT INTO organize_files (job_id, media_id, original_folder, original_name, original_name_key,
        new_folder, new_name, new_name_key, category, mime, size, sha256, media_created_at, action,
        dup_group, dup_of, status, reason, updated_at)
      SELECT ${plan.jobId}, json_extract(value, '$.id'), json_extract(value, '$.of'), json_extract(value, '$.on'),
        json_extract(value, '$.ok'), json_extract(value, '$.nf'), json_extract(value, '$.nn'), json_extract(value, '$.nk'),
        json_extract(value, '$.c'), json_extract(value, '$.mi'), json_extract(value, '$.s'), json_extract(value, '$.h'),
        json_extract(value, '$.t'), json_extract(value, '$.a'), json_extract(value, '$.g'), json_extract(value, '$.d'),
        json_extract(value, '$.st'), json_extract(value, '$.r'), ${now.toISOString()}
      FROM json_each(${JSON.stringify(rows)}) WHERE true
      ON CONFLICT (job_id, media_id) DO NOTHING`,
  );
}
