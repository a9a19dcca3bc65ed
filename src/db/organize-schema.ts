import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { jobs } from "./jobs-schema";
import { users } from "./schema";

/** The organizer's tables (issue 6; design in docs/adr/0004-organizer.md). */

export const CONFLICT_POLICIES = ["rename-new", "skip", "keep-both"] as const;
/** What happens to the redundant copies of a duplicate group: `stack` keeps all and shows one. */
export const DUPLICATE_MODES = ["report", "move", "trash", "stack"] as const;
/**
 * Which copy of a group is kept. Copies in protected folders are kept whatever the policy;
 * `protected` acts only on groups that have one (the others are reported).
 */
export const KEEP_POLICIES = [
  "oldest",
  "newest",
  "largest-resolution",
  "shortest-path",
  "protected",
] as const;
/** `organize` moves every file by the rules; `dedupe` handles duplicates and leaves every other file. */
export const PLAN_KINDS = ["organize", "dedupe"] as const;
/** Identical bytes (SHA-256), identical decoded pixels, or look-alike (perceptual hash distance). */
export const MATCH_KINDS = ["bytes", "pixels", "similar"] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
export type MatchKind = (typeof MATCH_KINDS)[number];
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
export type DuplicateMode = (typeof DUPLICATE_MODES)[number];
export type KeepPolicy = (typeof KEEP_POLICIES)[number];

/**
 * A user's own categories. Built-ins live in code (src/organize/categories.ts) and are not rows.
 * `priority`: higher is tried first; built-ins sit below every user category.
 */
export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    nameKey: text("name_key").notNull(),
    extensions: text("extensions", { mode: "json" }).$type<string[]>().notNull(),
    mimeTypes: text("mime_types", { mode: "json" }).$type<string[]>().notNull(),
    /** Destination folder template for this category; null = the user's default template. */
    folder: text("folder"),
    priority: integer("priority").notNull().default(100),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("categories_owner_name_unique").on(t.ownerId, t.nameKey),
    index("categories_owner_priority_idx").on(t.ownerId, t.priority),
  ],
);

/**
 * Per-user organizer settings: default template, conflict policy, "organize new uploads", protected
 * folders (never changed by any plan), and the ordered rules (null: the default set, one rule per
 * category; see src/organize/rules).
 */
export const organizeSettings = sqliteTable("organize_settings", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  template: text("template").notNull(),
  conflict: text("conflict", { enum: CONFLICT_POLICIES }).notNull(),
  autoOrganize: integer("auto_organize", { mode: "boolean" }).notNull().default(false),
  protectedFolders: text("protected_folders", { mode: "json" })
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'`),
  rules: text("rules", { mode: "json" }).$type<unknown[]>(),
  updatedAt: text("updated_at").notNull(),
});

export const PLAN_STATES = [
  "planning",
  "planned",
  "applying",
  "applied",
  "rolling-back",
  "rolled-back",
] as const;
export type PlanState = (typeof PLAN_STATES)[number];

/**
 * One row per organize plan (keyed by the job that made it). Holds the request, the rules snapshot
 * the plan was made with, its state, and the checkpoint (`stage`, `cursor`) of whichever job is
 * working on it now (`activeJobId`: the plan job, then an apply or rollback job). Checkpoints are
 * written in the same lease-guarded batch as the chunk's work.
 */
export const organizePlans = sqliteTable(
  "organize_plans",
  {
    jobId: text("job_id")
      .primaryKey()
      .references(() => jobs.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    folder: text("folder").notNull(),
    /**
     * Organize in place: the plan's files are the objects under `prefix` of this storage connection
     * (both null: the owner's media library). No foreign key: deleting the connection leaves the plan
     * and its records readable (its apply or rollback then fails with a clear error).
     */
    connectionId: text("connection_id"),
    prefix: text("prefix"),
    kind: text("kind", { enum: PLAN_KINDS }).notNull().default("organize"),
    match: text("match", { enum: MATCH_KINDS }).notNull().default("bytes"),
    /** Look-alike matches: the largest Hamming distance between two perceptual hashes of one group. */
    threshold: integer("threshold").notNull().default(0),
    /** The protected folders when the plan was made (apply and rollback read the current ones too). */
    protectedFolders: text("protected_folders", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** The ordered rules the plan was made with; null for plans made before rules (categories only). */
    ruleSet: text("rule_set", { mode: "json" }).$type<unknown[]>(),
    /** Only these media (the "organize new uploads" automation); null = everything under `folder`. */
    mediaIds: text("media_ids", { mode: "json" }).$type<string[]>(),
    dryRun: integer("dry_run", { mode: "boolean" }).notNull(),
    duplicates: text("duplicates", { enum: DUPLICATE_MODES }).notNull(),
    keep: text("keep", { enum: KEEP_POLICIES }).notNull(),
    template: text("template").notNull(),
    conflict: text("conflict", { enum: CONFLICT_POLICIES }).notNull(),
    rules: text("rules", { mode: "json" }).$type<unknown[]>().notNull(),
    state: text("state", { enum: PLAN_STATES }).notNull(),
    activeJobId: text("active_job_id").notNull(),
    applyJobId: text("apply_job_id"),
    rollbackJobId: text("rollback_job_id"),
    stage: text("stage").notNull(),
    cursor: text("cursor").notNull().default(""),
    total: integer("total").notNull().default(0),
    done: integer("done").notNull().default(0),
    totalBytes: integer("total_bytes").notNull().default(0),
    doneBytes: integer("done_bytes").notNull().default(0),
    createdAt: text("created_at").notNull(),
    plannedAt: text("planned_at"),
    appliedAt: text("applied_at"),
    rolledBackAt: text("rolled_back_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("organize_plans_owner_idx").on(t.ownerId, t.createdAt)],
);

/**
 * What a plan does to a file: rules `move` (maybe also re-tagging), `copy`, `tag` (only), `trash`;
 * duplicates `dup-move` (aside), `dup-trash`, `dup-stack`; `none` and `skip` change nothing.
 */
export const FILE_ACTIONS = [
  "none",
  "move",
  "copy",
  "tag",
  "trash",
  "skip",
  "dup-move",
  "dup-trash",
  "dup-stack",
] as const;
export const FILE_STATUSES = [
  "planned",
  "unchanged",
  "skipped",
  "moved",
  "copied",
  "tagged",
  "trashed",
  "stacked",
  "rolled-back",
  "rollback-skipped",
  // Journal states of a source whose moves are a copy then a delete (a bucket): the copy is made
  // and recorded, the original not yet removed; on rollback, the original is back, the moved copy
  // not yet removed. A re-drive finishes the delete; the library never uses them.
  "moving",
  "restoring",
] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];
export type FileStatus = (typeof FILE_STATUSES)[number];

/**
 * One record per file of a plan, written before anything moves: where it was, where it goes, why,
 * and what happened. Apply and rollback are set-based updates over a chunk of these records.
 */
export const organizeFiles = sqliteTable(
  "organize_files",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => organizePlans.jobId, { onDelete: "cascade" }),
    mediaId: text("media_id").notNull(),
    originalFolder: text("original_folder").notNull(),
    originalName: text("original_name").notNull(),
    originalNameKey: text("original_name_key").notNull(),
    newFolder: text("new_folder"),
    newName: text("new_name"),
    newNameKey: text("new_name_key"),
    category: text("category").notNull(),
    mime: text("mime").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    mediaCreatedAt: text("media_created_at").notNull(),
    action: text("action", { enum: FILE_ACTIONS }).notNull(),
    /** The SHA-256 of its duplicate group, when the file has identical twins in scope. */
    dupGroup: text("dup_group"),
    /** The file the keep policy kept, for the other members of a duplicate group. */
    dupOf: text("dup_of"),
    /** SHA-256 of the decoded pixels, for the "same picture" review of a plan that looked for it. */
    pixelHash: text("pixel_hash"),
    width: integer("width"),
    height: integer("height"),
    /** The rule that decided (its id), null when none matched or for plans made before rules. */
    ruleId: text("rule_id"),
    /** Tags before and after, when the plan changes them (null: unchanged). */
    originalTags: text("original_tags", { mode: "json" }).$type<string[]>(),
    newTags: text("new_tags", { mode: "json" }).$type<string[]>(),
    /** A `copy` makes a new media row with this id (chosen when planning, so applying twice can't copy twice). */
    copyId: text("copy_id"),
    /**
     * The store's entity tag when planned (bucket sources): apply and rollback see that an object
     * changed by it. An ETag is not a SHA-256 (multipart uploads, encryption), so `sha256` stays empty.
     */
    etag: text("etag"),
    status: text("status", { enum: FILE_STATUSES }).notNull(),
    reason: text("reason"),
    appliedAt: text("applied_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.mediaId] }),
    index("organize_files_dest_idx").on(t.jobId, t.newFolder, t.newNameKey),
    index("organize_files_status_idx").on(t.jobId, t.status, t.mediaId),
    index("organize_files_category_idx").on(t.jobId, t.category, t.mediaId),
    // Partial: only the ~2 % of records in a duplicate group are ever looked up by it (every query
    // says `dup_group IS NOT NULL`), so the other records' inserts skip this index.
    index("organize_files_dup_idx").on(t.jobId, t.dupGroup).where(sql`${t.dupGroup} IS NOT NULL`),
  ],
);

/**
 * Per plan, destination folder and name (lower-cased, e.g. `a.jpg`): the highest n of a record named
 * `a (n).jpg` there (n ≥ 2), kept as records are written. Planning's rename-new starts a name's probe
 * above it with one primary-key lookup; reading it off the records meant walking every `a (n).jpg`
 * the plan had given out, per file, so a chunk cost grew with the library. Deleted when the job ends.
 */
export const organizeNames = sqliteTable(
  "organize_names",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => organizePlans.jobId, { onDelete: "cascade" }),
    folder: text("folder").notNull(),
    nameKey: text("name_key").notNull(),
    high: integer("high").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.folder, t.nameKey] })],
);

/**
 * Duplicate groups of a plan, found once before its records are written: a row per file that has
 * a twin of the plan's `match` kind, keyed by its group. The duplicates stage walks groups in key
 * order, a chunk of groups at a time.
 */
export const organizeGroups = sqliteTable(
  "organize_groups",
  {
    jobId: text("job_id")
      .notNull()
      .references(() => organizePlans.jobId, { onDelete: "cascade" }),
    mediaId: text("media_id").notNull(),
    groupKey: text("group_key").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.mediaId] }),
    index("organize_groups_key_idx").on(t.jobId, t.groupKey),
  ],
);

export type Category = typeof categories.$inferSelect;
export type OrganizePlan = typeof organizePlans.$inferSelect;
export type OrganizeFile = typeof organizeFiles.$inferSelect;
