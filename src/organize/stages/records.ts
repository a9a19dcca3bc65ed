import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import type { FileAction, FileStatus, OrganizePlan } from "../../db/organize-schema";
import { newId } from "../../lib/ids";
import { normalizeFolder } from "../../media/names";
import { type Rule as Category, categorize } from "../categories";
import { isProtected } from "../protect";
import { compileRules, defaultRules, type RuleMatcher } from "../rules/match";
import type { DuplicateStatus, OrganizeRule } from "../rules/types";
import type { FileSource, SourceFile } from "../source";
import { DUPLICATES_ROOT } from "../sources/library";
import { renderFolder } from "../template";
import { recordVariants } from "./conflicts";

/**
 * One file record of a plan, before it is written: what the rules (or the duplicate handling) do
 * with the file, where it goes, and why a change is refused (a protected folder, a name conflict).
 */
export interface PlannedFile {
  m: SourceFile;
  category: string;
  ruleId: string | null;
  action: FileAction;
  status: FileStatus;
  newFolder: string | null;
  newName: string | null;
  newTags: string[] | null;
  copyId: string | null;
  dupGroup: string | null;
  dupOf: string | null;
  reason: string | null;
}

/** A plan's rules, compiled once per chunk. */
export interface Planner {
  plan: OrganizePlan;
  categories: Category[];
  match: RuleMatcher;
}

export function planner(plan: OrganizePlan): Planner {
  const categories = plan.rules as Category[];
  // Plans made before rules carry only their categories: the default set is what they meant.
  const rules = (plan.ruleSet as OrganizeRule[] | null) ?? defaultRules(categories);
  return { plan, categories, match: compileRules(rules) };
}

const unchanged = (m: SourceFile, category: string): PlannedFile => ({
  m,
  category,
  ruleId: null,
  action: "none",
  status: "unchanged",
  newFolder: null,
  newName: null,
  newTags: null,
  copyId: null,
  dupGroup: null,
  dupOf: null,
  reason: null,
});

/** `tags` after adding and removing; null when that changes nothing. */
function retag(tags: string[], add: string[] = [], remove: string[] = []): string[] | null {
  const next = [...new Set([...tags.filter((t) => !remove.includes(t)), ...add])].sort();
  return next.length === tags.length && next.every((t, i) => t === tags[i]) ? null : next;
}

/** What the first matching rule does with a file (a dedupe plan applies no rules). */
export function planByRules(p: Planner, m: SourceFile, duplicate: DuplicateStatus): PlannedFile {
  const category = categorize(p.categories, m);
  const file = unchanged(m, category.name);
  if (p.plan.kind === "dedupe") return file;
  const rule = p.match({ ...m, category: category.name, duplicate });
  if (!rule) return file;
  file.ruleId = rule.id;
  const action = rule.action;
  const destination = (template: string | undefined) =>
    renderFolder(template ?? category.folder ?? p.plan.template, {
      category: category.name,
      createdAt: m.createdAt,
      takenLocal: m.takenLocal,
      name: m.name,
      tags: m.tags,
    });
  switch (action.type) {
    case "keep":
      return file;
    case "trash":
      return Object.assign(file, { action: "trash", status: "planned" });
    case "copy":
      return Object.assign(file, {
        action: "copy",
        status: "planned",
        newFolder: destination(action.template),
        newName: m.name,
        copyId: newId("med"),
      });
    case "tag":
    case "move": {
      const newTags = retag(m.tags, action.tag, action.untag);
      const folder = action.type === "move" ? destination(action.template) : m.folder;
      if (folder !== m.folder)
        return Object.assign(file, {
          action: "move",
          status: "planned",
          newFolder: folder,
          newName: m.name,
          newTags,
        });
      if (newTags) return Object.assign(file, { action: "tag", status: "planned", newTags });
      return file;
    }
  }
}

/** A redundant copy's duplicate action, replacing what the rules planned. */
export function planRedundant(file: PlannedFile, mode: OrganizePlan["duplicates"]): void {
  const m = file.m;
  const reset = { newFolder: null, newName: null, newTags: null, copyId: null, status: "planned" as const };
  if (mode === "move")
    Object.assign(file, {
      ...reset,
      action: "dup-move",
      newFolder: duplicatesFolder(m.folder),
      newName: m.name,
    });
  else if (mode === "trash") Object.assign(file, { ...reset, action: "dup-trash" });
  else if (mode === "stack") Object.assign(file, { ...reset, action: "dup-stack" });
}

function duplicatesFolder(folder: string): string {
  try {
    return normalizeFolder(`${DUPLICATES_ROOT}${folder === "/" ? "" : folder}`);
  } catch {
    return DUPLICATES_ROOT;
  }
}

/**
 * Fits the records to what the store can do: an action it has no means for (trashing, tagging
 * without a tags store) is skipped with reason `unsupported`; a move that would also re-tag moves only.
 */
export function refuseUnsupported(files: PlannedFile[], supports: FileSource["supports"]): void {
  for (const f of files) {
    if (f.status !== "planned") continue;
    const trash = f.action === "trash" || f.action === "dup-trash";
    if ((trash && !supports.trash) || (f.action === "tag" && !supports.tags))
      Object.assign(f, { action: "skip", status: "skipped", reason: "unsupported", newTags: null });
    else if (!supports.tags) f.newTags = null;
  }
}

/**
 * Refuses, with the reason, any change to a file in a protected folder (a copy of it elsewhere is
 * fine) and anything sent into one. Runs before name conflicts, so a refused file claims no name.
 */
export function refuseProtected(files: PlannedFile[], protectedFolders: string[]): void {
  if (protectedFolders.length === 0) return;
  for (const f of files) {
    if (f.status !== "planned") continue;
    if (f.action !== "copy" && isProtected(f.m.folder, protectedFolders))
      Object.assign(f, { action: "skip", status: "skipped", reason: "protected" });
    else if (f.newFolder !== null && isProtected(f.newFolder, protectedFolders))
      Object.assign(f, { action: "skip", status: "skipped", reason: "protected-destination" });
  }
}

/**
 * A chunk's records, 1000 per statement (one JSON parameter each: D1 caps bound parameters at 100 and
 * a string value at 2 MB; 1000 records are ~500 KB), and the `(n)` names they give out (organize_names).
 */
export function insertRecords(db: Db, plan: OrganizePlan, files: PlannedFile[], now: Date) {
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < files.length; i += 1000)
    statements.push(insertRecordPage(db, plan, files.slice(i, i + 1000), now));
  return [...statements, ...recordVariants(db, plan, files)];
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
    px: f.m.pixelHash,
    w: f.m.width,
    ht: f.m.height,
    ru: f.ruleId,
    // Tags before a change are kept so apply can see the file changed meanwhile and rollback can undo.
    ot: f.newTags ? JSON.stringify(f.m.tags) : null,
    nt: f.newTags ? JSON.stringify(f.newTags) : null,
    cp: f.copyId,
    e: f.m.etag ?? null,
  }));
  // Each row is converted to JSONB once (the materialized CTE) and its 26 fields read from that: read
  // from json_each's text `value` instead, every field re-rendered and re-parsed the row's JSON text
  // (jsonTranslateBlobToText was the top SQLite symbol of a plan's profile).
  const v = (key: string) => sql.raw(`json_extract(r.v, '$.${key}')`);
  return rawInBatch(
    db,
    sql`WITH r AS MATERIALIZED (SELECT jsonb(value) AS v FROM json_each(${JSON.stringify(rows)}))
      INSERT INTO organize_files (job_id, media_id, original_folder, original_name, original_name_key,
        new_folder, new_name, new_name_key, category, mime, size, sha256, media_created_at, action,
        dup_group, dup_of, status, reason, pixel_hash, width, height, rule_id, original_tags, new_tags, copy_id,
        etag, updated_at)
      SELECT ${plan.jobId}, ${v("id")}, ${v("of")}, ${v("on")}, ${v("ok")}, ${v("nf")}, ${v("nn")}, ${v("nk")},
        ${v("c")}, ${v("mi")}, ${v("s")}, ${v("h")}, ${v("t")}, ${v("a")}, ${v("g")}, ${v("d")}, ${v("st")}, ${v("r")},
        ${v("px")}, ${v("w")}, ${v("ht")}, ${v("ru")}, ${v("ot")}, ${v("nt")}, ${v("cp")}, ${v("e")}, ${now.toISOString()}
      FROM r WHERE true
      ON CONFLICT (job_id, media_id) DO NOTHING`,
  );
}
