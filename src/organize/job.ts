import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../db/client";
import type { JobProgress } from "../db/jobs-schema";
import {
  CONFLICT_POLICIES,
  DUPLICATE_MODES,
  type FileAction,
  type FileStatus,
  KEEP_POLICIES,
  type OrganizePlan,
  organizeFiles,
  organizePlans,
  PLAN_STATES,
} from "../db/organize-schema";
import { media } from "../db/schema";
import { defineJobType, type JobContext } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { folderCondition } from "../media/library";
import { normalizeFolder } from "../media/names";
import { categorize, type Rule } from "./categories";
import { organizeConfig } from "./config";
import { nameVariant, renderFolder } from "./template";

/**
 * The organize job, one chunk per delivery. A plan job walks `duplicates → scan → (apply) → finish`;
 * an apply job `apply → finish`; a rollback job `rollback → finish`. Each chunk reads at most
 * `chunkSize` files, and writes its records, its moves and the plan's checkpoint in the one
 * lease-guarded batch the runner commits (see `continueJob`), so a chunk happens once or not at all
 * and a redelivery resumes at the last checkpoint.
 */

export type OrganizeAction = "plan" | "apply" | "rollback";
type Stage = "duplicates" | "scan" | "apply" | "rollback" | "finish";

export const DUPLICATES_ROOT = "/Duplicates";

interface MediaRow {
  id: string;
  name: string;
  nameKey: string;
  folder: string;
  mime: string;
  size: number;
  sha256: string;
  createdAt: string;
  tags: string[];
}

/** One planned record, before it is written. */
interface PlannedFile {
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

interface ChunkResult {
  statements: BatchItem<"sqlite">[];
  next: { stage: Stage; cursor: string };
  processed: number;
  total?: number;
}

/** A list as one bound parameter (D1 allows at most 100 per statement). */
const jsonList = (values: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

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
};

/** Which files a plan looks at: the owner's live files under `folder`, never the /Duplicates tree (unless asked). */
export function scopeCondition(plan: OrganizePlan): SQL {
  const conditions: (SQL | undefined)[] = [eq(media.ownerId, plan.ownerId), isNull(media.trashedAt)];
  conditions.push(folderCondition(plan.folder, true));
  if (plan.folder !== DUPLICATES_ROOT && !plan.folder.startsWith(`${DUPLICATES_ROOT}/`)) {
    conditions.push(
      sql`NOT (${media.folder} = ${DUPLICATES_ROOT} OR ${media.folder} LIKE ${`${DUPLICATES_ROOT}/%`})`,
    );
  }
  if (plan.mediaIds) conditions.push(inArray(media.id, jsonList(plan.mediaIds)));
  return and(...conditions)!;
}

const organizeInput = z.union([
  z.object({
    action: z.literal("plan"),
    folder: z.string(),
    dryRun: z.boolean(),
    duplicates: z.enum(DUPLICATE_MODES),
    keep: z.enum(KEEP_POLICIES),
    template: z.string(),
    conflict: z.enum(CONFLICT_POLICIES),
    /** Only these files (the "organize new uploads" automation). */
    mediaIds: z.array(z.string()).optional(),
    auto: z.boolean().optional(),
  }),
  z.object({ action: z.enum(["apply", "rollback"]), planJobId: z.string() }),
]);

export type OrganizeInput = z.infer<typeof organizeInput>;

const organizeResult = z
  .object({
    planJobId: z.string(),
    action: z.enum(["plan", "apply", "rollback"]),
    dryRun: z.boolean(),
    state: z.enum(PLAN_STATES),
    files: z.number(),
    bytes: z.number(),
    statuses: z.record(z.string(), z.number()),
    duplicates: z.object({
      groups: z.number(),
      files: z.number(),
      redundantFiles: z.number(),
      reclaimableBytes: z.number(),
    }),
  })
  .openapi("OrganizeJobResult");

/** Organize jobs: a plan job, and apply / rollback jobs of a stored plan. Free of credits. */
export const organizeJob = defineJobType({
  name: "organize",
  input: organizeInput,
  result: organizeResult,
  queue: (env) => env.ORGANIZE_QUEUE,
  cost: () => 0,
  handler: (ctx) => runOrganizeChunk(ctx),
});

async function runOrganizeChunk(ctx: JobContext<OrganizeInput>) {
  const { db, claim, input } = ctx;
  const planId = "planJobId" in input ? input.planJobId : claim.job.id;
  const plan = await db.select().from(organizePlans).where(eq(organizePlans.jobId, planId)).get();
  if (!plan) throw new PermanentJobError("plan_missing", "The organize plan no longer exists.");
  if (plan.activeJobId !== claim.job.id)
    throw new PermanentJobError("plan_busy", "Another job is working on this plan.");
  const config = organizeConfig(ctx.env);
  const stage = plan.stage as Stage;
  const now = ctx.now();

  await ctx.step(progressOf(plan, input.action, stage, plan.done, plan.total));
  // A stage that ends without work (no duplicates, nothing left to apply) hands over to the next
  // stage within the same delivery; any chunk with work ends the delivery with its checkpoint.
  let current = plan;
  for (let hop = 0; ; hop++) {
    const at = current.stage as Stage;
    if (at === "finish") return finish(db, current, input.action, now);
    const chunk = await runStage(db, current, at, config.chunkSize, now);
    const stageChanged = chunk.next.stage !== at;
    const total = chunk.total ?? current.total;
    const reset = stageChanged && chunk.next.stage !== "scan";
    const done = reset ? 0 : current.done + chunk.processed;
    const nextTotal = reset ? 0 : total;
    if (chunk.statements.length === 0 && stageChanged && hop < 5) {
      current = { ...current, stage: chunk.next.stage, cursor: chunk.next.cursor, done, total: nextTotal };
      continue;
    }
    const checkpoint = rawInBatch(
      db,
      sql`UPDATE organize_plans SET stage = ${chunk.next.stage}, cursor = ${chunk.next.cursor},
        done = ${done}, total = ${nextTotal},
        state = CASE WHEN ${chunk.next.stage} = 'apply' THEN 'applying' ELSE state END,
        updated_at = ${now.toISOString()}
        WHERE job_id = ${plan.jobId} AND active_job_id = ${claim.job.id}`,
    );
    return {
      continue: true as const,
      checkpoint: [...chunk.statements, checkpoint],
      progress: progressOf(plan, input.action, chunk.next.stage, done, nextTotal || total),
    };
  }
}

function runStage(db: Db, plan: OrganizePlan, stage: Exclude<Stage, "finish">, chunkSize: number, now: Date) {
  switch (stage) {
    case "duplicates":
      return duplicatesChunk(db, plan, chunkSize, now);
    case "scan":
      return scanChunk(db, plan, chunkSize, now);
    case "apply":
      return applyChunk(db, plan, chunkSize, now);
    case "rollback":
      return rollbackChunk(db, plan, chunkSize, now);
  }
}

/** Progress for watchers: a plan that also applies spends the first half planning, the second applying. */
function progressOf(
  plan: OrganizePlan,
  action: OrganizeAction,
  stage: Stage,
  done: number,
  total: number,
): JobProgress {
  const fraction = total > 0 ? Math.min(1, done / total) : stage === "finish" ? 1 : 0;
  let percent = fraction * 100;
  if (action === "plan" && !plan.dryRun)
    percent = stage === "apply" || stage === "finish" ? 50 + fraction * 50 : fraction * 50;
  if (stage === "finish") percent = 99;
  return {
    stage: stage === "duplicates" || stage === "scan" ? `planning:${stage}` : stage,
    done,
    total,
    percent: Math.floor(percent),
  };
}

// ------------------------------------------------------------------------------------ planning

/**
 * Duplicate groups (same size and SHA-256; every media row has its hash from upload) in SHA order,
 * as many groups as fit in one chunk (always at least one). The keep policy picks the original;
 * the others are reported, sent to /Duplicates/<their folder>, or trashed.
 */
async function duplicatesChunk(
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
    .where(and(scope, inArray(media.sha256, jsonList(taken))))
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
async function scanChunk(db: Db, plan: OrganizePlan, chunkSize: number, now: Date): Promise<ChunkResult> {
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
            inArray(organizeFiles.mediaId, jsonList(page.map((m) => m.id))),
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

/** Candidate names looked up per round of `resolveConflicts` (bounds its memory for any window). */
const CANDIDATES_PER_ROUND = 8000;

const pairKey = (folder: string, nameKey: string) => `${folder}\u0000${nameKey}`;

/**
 * Names at the destination: a name is taken by a live file already in that folder (even one that will
 * move away later, so the order chunks run in never matters) or by another file this plan sends
 * there. `rename-new` picks the first free `name (n).ext`, `skip` leaves the file where it is,
 * `keep-both` lets two files share the name (library names are labels, not keys).
 */
async function resolveConflicts(db: Db, plan: OrganizePlan, files: PlannedFile[]): Promise<void> {
  const moving = files.filter((f) => f.status === "planned" && f.newFolder !== null && f.newName !== null);
  if (moving.length === 0 || plan.conflict === "keep-both") return;
  const claimed = new Set<string>();
  let pending = moving.map((f) => ({ f, n: 1 }));
  let window = 1;
  let seeded = false;
  while (pending.length > 0) {
    const still: typeof pending = [];
    // Files a slice at a time so one round holds at most CANDIDATES_PER_ROUND names, whatever the window.
    const slice = Math.max(1, Math.floor(CANDIDATES_PER_ROUND / window));
    for (let s = 0; s < pending.length; s += slice) {
      const entries = pending.slice(s, s + slice).map((entry) => ({
        entry,
        names: Array.from({ length: window }, (_, i) => {
          const name = entry.n + i === 1 ? entry.f.m.name : nameVariant(entry.f.m.name, entry.n + i);
          return { name, key: pairKey(entry.f.newFolder!, name.toLowerCase()) };
        }),
      }));
      const taken = await takenNames(
        db,
        plan,
        entries.flatMap(({ entry, names }) =>
          names.map((c) => [entry.f.newFolder!, c.name.toLowerCase()] as [string, string]),
        ),
      );
      for (const { entry, names } of entries) {
        const free = names.find((c) => !taken.has(c.key) && !claimed.has(c.key));
        if (free) {
          claimed.add(free.key);
          entry.f.newName = free.name;
        } else if (plan.conflict === "skip") {
          Object.assign(entry.f, { action: "skip", status: "skipped", reason: "conflict" });
        } else {
          still.push(entry);
        }
      }
    }
    // After the plain names: start each name's probe above the highest `name (n)` this plan already
    // gave out in that folder (one indexed range query), instead of walking up from (2) — the n-th copy
    // of a name would otherwise probe n names, and a library with many copies goes quadratic.
    // That first guess is almost always free, so it is probed alone (window 1) before windows grow:
    // probing a full window of 19 names per file there would cost 19× the lookups for nothing.
    if (!seeded && still.length > 0) {
      seeded = true;
      const highest = await highestVariants(
        db,
        plan,
        still.map((e) => e.f),
      );
      for (const entry of still) entry.n = Math.max(entry.n + window, (highest.get(entry.f) ?? 0) + 1);
      pending = still;
      continue;
    }
    for (const entry of still) entry.n += window;
    pending = still;
    window = Math.min(window * 4 + 15, 1024);
  }
}

/** `name (n).ext` → the key's prefix up to `(` and its suffix from `)` (as `nameVariant` builds them). */
function variantParts(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  const key = name.toLowerCase();
  return dot <= 0 ? [`${key} (`, ")"] : [`${key.slice(0, dot)} (`, `)${key.slice(dot)}`];
}

/** Per file, the highest n of a `name (n).ext` the plan already sends to its destination folder (0: none). */
async function highestVariants(
  db: Db,
  plan: OrganizePlan,
  files: PlannedFile[],
): Promise<Map<PlannedFile, number>> {
  const wanted = new Map<string, PlannedFile[]>();
  for (const f of files) {
    const [prefix, suffix] = variantParts(f.m.name);
    // [folder, lowest key, key past the last, where n starts (1-based), suffix]: variants are `prefix<digits>suffix`.
    const key = JSON.stringify([f.newFolder!, `${prefix}0`, `${prefix}:`, prefix.length + 1, suffix]);
    wanted.set(key, [...(wanted.get(key) ?? []), f]);
  }
  const keys = [...wanted.keys()];
  const result = new Map<PlannedFile, number>();
  for (let i = 0; i < keys.length; i += 500) {
    const page = keys.slice(i, i + 500);
    // CROSS JOIN keeps json_each outside, so each wanted name is one range seek on the destination
    // index (left to itself, D1's planner scans the whole plan per name).
    const rows = await db.all<{ i: number; n: number | null }>(
      sql`SELECT j.key AS i, max(CAST(substr(f.new_name_key, json_extract(j.value, '$[3]')) AS INTEGER)) AS n
        FROM json_each(${`[${page.join(",")}]`}) j CROSS JOIN organize_files f
          ON f.job_id = ${plan.jobId} AND f.new_folder = json_extract(j.value, '$[0]')
          AND f.new_name_key >= json_extract(j.value, '$[1]') AND f.new_name_key < json_extract(j.value, '$[2]')
          AND substr(f.new_name_key, -length(json_extract(j.value, '$[4]'))) = json_extract(j.value, '$[4]')
        GROUP BY j.key`,
    );
    for (const row of rows) for (const f of wanted.get(page[row.i]!) ?? []) result.set(f, Number(row.n ?? 0));
  }
  return result;
}

/** Which of `pairs` (folder, name key) are taken, 1000 pairs per query, all pages at once. */
async function takenNames(db: Db, plan: OrganizePlan, pairs: [string, string][]): Promise<Set<string>> {
  const pages: Promise<{ folder: string | null; nameKey: string | null }[]>[] = [];
  for (let i = 0; i < pairs.length; i += 1000) {
    const list = JSON.stringify(pairs.slice(i, i + 1000));
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
      db
        .select({ folder: organizeFiles.newFolder, nameKey: organizeFiles.newNameKey })
        .from(organizeFiles)
        .where(
          and(
            eq(organizeFiles.jobId, plan.jobId),
            sql`(${organizeFiles.newFolder}, ${organizeFiles.newNameKey}) IN ${wanted}`,
          ),
        )
        .all(),
    );
  }
  const taken = new Set<string>();
  for (const rows of await Promise.all(pages))
    for (const r of rows) taken.add(pairKey(r.folder ?? "", r.nameKey ?? ""));
  return taken;
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

// ------------------------------------------------------------------------------------ apply / rollback

/**
 * The next chunk of records with the given statuses after the cursor, as its (lo, hi] media-id range:
 * one row back (count and last id of the page, walked on the status index), whatever the chunk size.
 */
async function nextRange(db: Db, plan: OrganizePlan, statuses: FileStatus[], chunkSize: number) {
  const page = db
    .select({ id: organizeFiles.mediaId })
    .from(organizeFiles)
    .where(
      and(
        eq(organizeFiles.jobId, plan.jobId),
        inArray(organizeFiles.status, statuses),
        gt(organizeFiles.mediaId, plan.cursor),
      ),
    )
    .orderBy(asc(organizeFiles.mediaId))
    .limit(chunkSize)
    .as("page");
  const row = await db
    .select({ n: sql<number>`count(*)`, hi: sql<string | null>`max(${page.id})` })
    .from(page)
    .get();
  const count = row?.n ?? 0;
  return { lo: plan.cursor, hi: row?.hi ?? null, count, last: count < chunkSize };
}

async function countStatus(db: Db, planId: string, statuses: FileStatus[]): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(organizeFiles)
    .where(and(eq(organizeFiles.jobId, planId), inArray(organizeFiles.status, statuses)))
    .get();
  return row?.n ?? 0;
}

const bumpCache = (db: Db, ownerId: string) =>
  rawInBatch(db, sql`UPDATE users SET cache_version = cache_version + 1 WHERE id = ${ownerId}`);

/**
 * Executes one chunk of the stored plan. Each file is re-checked first (same path, same SHA-256,
 * not trashed); one that changed since planning is skipped and reported, never forced. Moves are
 * row updates of folder and name; duplicates to trash get `trashed_at`.
 */
async function applyChunk(db: Db, plan: OrganizePlan, chunkSize: number, now: Date): Promise<ChunkResult> {
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, ["planned"]) : undefined;
  const range = await nextRange(db, plan, ["planned"], chunkSize);
  const next = { stage: range.last ? "finish" : "apply", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: 0, total };
  const nowIso = now.toISOString();
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${range.lo} AND media_id <= ${range.hi} AND status = 'planned'`;
  const fInRange = sql`f.job_id = ${plan.jobId} AND f.media_id > ${range.lo} AND f.media_id <= ${range.hi} AND f.status = 'planned'`;
  const statements = [
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'skipped', updated_at = ${nowIso},
        reason = CASE WHEN EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id AND m.owner_id = ${plan.ownerId})
          THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND NOT EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id
          AND m.owner_id = ${plan.ownerId} AND m.folder = organize_files.original_folder
          AND m.name = organize_files.original_name AND m.sha256 = organize_files.sha256 AND m.trashed_at IS NULL)`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.new_folder, name = f.new_name, name_key = f.new_name_key, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.media_id = media.id AND media.owner_id = ${plan.ownerId}
        AND f.action IN ('move', 'dup-move')`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = ${nowIso}, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.media_id = media.id AND media.owner_id = ${plan.ownerId}
        AND f.action = 'dup-trash'`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = CASE WHEN action = 'dup-trash' THEN 'trashed' ELSE 'moved' END,
        applied_at = ${nowIso}, updated_at = ${nowIso} WHERE ${inRange}`,
    ),
    bumpCache(db, plan.ownerId),
  ];
  return { statements, next, processed: range.count, total };
}

/**
 * Puts one chunk of moved files back and restores trashed duplicates. A file that is no longer
 * where the plan put it (deleted, renamed, moved, or its bytes replaced) is reported, not forced.
 */
async function rollbackChunk(db: Db, plan: OrganizePlan, chunkSize: number, now: Date): Promise<ChunkResult> {
  const undoable: FileStatus[] = ["moved", "trashed"];
  const total =
    plan.cursor === "" && plan.done === 0 ? await countStatus(db, plan.jobId, undoable) : undefined;
  const range = await nextRange(db, plan, undoable, chunkSize);
  const next = { stage: range.last ? "finish" : "rollback", cursor: range.hi ?? plan.cursor } as const;
  if (!range.hi) return { statements: [], next, processed: 0, total };
  const nowIso = now.toISOString();
  const inRange = sql`job_id = ${plan.jobId} AND media_id > ${range.lo} AND media_id <= ${range.hi}`;
  const fInRange = sql`f.job_id = ${plan.jobId} AND f.media_id > ${range.lo} AND f.media_id <= ${range.hi}`;
  const exists = sql`EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id AND m.owner_id = ${plan.ownerId})`;
  const statements = [
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', updated_at = ${nowIso},
        reason = CASE WHEN ${exists} THEN 'changed' ELSE 'missing' END
        WHERE ${inRange} AND status = 'moved' AND NOT EXISTS (SELECT 1 FROM media m WHERE m.id = organize_files.media_id
          AND m.owner_id = ${plan.ownerId} AND m.folder = organize_files.new_folder
          AND m.name = organize_files.new_name AND m.sha256 = organize_files.sha256)`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rollback-skipped', reason = 'missing', updated_at = ${nowIso}
        WHERE ${inRange} AND status = 'trashed' AND NOT ${exists}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET folder = f.original_folder, name = f.original_name, name_key = f.original_name_key,
        updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.status = 'moved' AND f.media_id = media.id
        AND media.owner_id = ${plan.ownerId}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE media SET trashed_at = NULL, updated_at = ${nowIso}
        FROM organize_files f WHERE ${fInRange} AND f.status = 'trashed' AND f.media_id = media.id
        AND media.owner_id = ${plan.ownerId}`,
    ),
    rawInBatch(
      db,
      sql`UPDATE organize_files SET status = 'rolled-back', updated_at = ${nowIso}
        WHERE ${inRange} AND status IN ('moved', 'trashed')`,
    ),
    bumpCache(db, plan.ownerId),
  ];
  return { statements, next, processed: range.count, total };
}

// ------------------------------------------------------------------------------------ finish

export async function planSummary(db: Db, planId: string) {
  const [byStatus, dups] = await Promise.all([
    db
      .select({
        status: organizeFiles.status,
        files: sql<number>`count(*)`,
        bytes: sql<number>`coalesce(sum(${organizeFiles.size}), 0)`,
      })
      .from(organizeFiles)
      .where(eq(organizeFiles.jobId, planId))
      .groupBy(organizeFiles.status)
      .all(),
    db
      .select({
        groups: sql<number>`count(DISTINCT ${organizeFiles.dupGroup})`,
        files: sql<number>`count(*)`,
        extra: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN 1 ELSE 0 END), 0)`,
        reclaimable: sql<number>`coalesce(sum(CASE WHEN ${organizeFiles.dupOf} IS NOT NULL THEN ${organizeFiles.size} ELSE 0 END), 0)`,
      })
      .from(organizeFiles)
      .where(and(eq(organizeFiles.jobId, planId), sql`${organizeFiles.dupGroup} IS NOT NULL`))
      .get(),
  ]);
  const statuses: Record<string, number> = {};
  for (const r of byStatus) statuses[r.status] = r.files;
  return {
    files: byStatus.reduce((n, r) => n + r.files, 0),
    bytes: byStatus.reduce((n, r) => n + r.bytes, 0),
    statuses,
    duplicates: {
      groups: dups?.groups ?? 0,
      files: dups?.files ?? 0,
      redundantFiles: dups?.extra ?? 0,
      reclaimableBytes: dups?.reclaimable ?? 0,
    },
  };
}

async function finish(db: Db, plan: OrganizePlan, action: OrganizeAction, now: Date) {
  const nowIso = now.toISOString();
  const summary = await planSummary(db, plan.jobId);
  const state =
    action === "rollback" ? "rolled-back" : action === "apply" || !plan.dryRun ? "applied" : "planned";
  const stamp =
    state === "rolled-back"
      ? { rolledBackAt: nowIso }
      : state === "applied"
        ? { appliedAt: nowIso, plannedAt: plan.plannedAt ?? nowIso }
        : { plannedAt: nowIso };
  return {
    result: { planJobId: plan.jobId, action, dryRun: plan.dryRun, state, ...summary },
    domain: [
      db
        .update(organizePlans)
        .set({ state, stage: "done", cursor: "", updatedAt: nowIso, ...stamp })
        .where(eq(organizePlans.jobId, plan.jobId)),
    ],
  };
}
