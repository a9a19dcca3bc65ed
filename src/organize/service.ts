import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import { abortUnless, isBatchAbort, previousChangedOneRow } from "../db/batch";
import { type Db, getDb, rawInBatch } from "../db/client";
import { type Job, jobs } from "../db/jobs-schema";
import {
  type ConflictPolicy,
  type DuplicateMode,
  type KeepPolicy,
  type MatchKind,
  type OrganizePlan,
  organizePlans,
  type PlanKind,
  type PlanState,
} from "../db/organize-schema";
import type { Media } from "../db/schema";
import { ApiError } from "../errors";
import { createJobStatements } from "../jobs/create";
import { enqueueJobs } from "../jobs/dispatch";
import { getJobRow } from "../jobs/lifecycle";
import { getVisibleJob } from "../jobs/queries";
import { normalizeFolder } from "../media/names";
import { loadRules as loadCategories } from "./categories";
import { type OrganizeInput, organizeJob } from "./job";
import { getRules, getSettings } from "./settings";
import { DEFAULT_THRESHOLD } from "./similar";
import { validateTemplate } from "./template";

export interface OrganizeRequest {
  kind?: PlanKind;
  match?: MatchKind;
  threshold?: number;
  folder?: string;
  dryRun?: boolean;
  duplicates?: DuplicateMode;
  keep?: KeepPolicy;
  template?: string;
  conflict?: ConflictPolicy;
  /** Only these files (the "organize new uploads" automation). */
  mediaIds?: string[];
}

/**
 * Creates a plan job and its plan row in one batch, then sends its message. The rules (the user's
 * own or the default set), the categories they refer to, the template and the protected folders are
 * copied into the plan, so a plan never changes under its own feet.
 */
export async function createOrganizeJob(
  env: Env,
  userId: string,
  request: OrganizeRequest,
  now: Date,
): Promise<Job> {
  const db = getDb(env.DB);
  const [settings, categories, rules] = await Promise.all([
    getSettings(db, userId),
    loadCategories(db, userId),
    getRules(db, userId),
  ]);
  const folder = normalizeFolder(request.folder ?? "/");
  const template = request.template !== undefined ? validateTemplate(request.template) : settings.template;
  const match = request.match ?? "bytes";
  if (request.threshold !== undefined && match !== "similar")
    throw new ApiError(422, "invalid_threshold", "A threshold is for look-alikes only (match: similar).", {
      errors: [{ path: "threshold", message: "only with match: similar", code: "invalid_threshold" }],
    });
  const input: OrganizeInput = {
    action: "plan",
    kind: request.kind ?? "organize",
    match,
    folder,
    dryRun: request.dryRun ?? false,
    duplicates: request.duplicates ?? "report",
    keep: request.keep ?? "oldest",
    template,
    conflict: request.conflict ?? settings.conflict,
    ...(request.mediaIds ? { mediaIds: request.mediaIds, auto: true } : {}),
  };
  const created = createJobStatements(db, env, { type: organizeJob, userId, input }, now);
  const nowIso = now.toISOString();
  await db.batch([
    ...(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
    db.insert(organizePlans).values({
      jobId: created.id,
      ownerId: userId,
      folder,
      kind: input.kind,
      match,
      threshold: match === "similar" ? (request.threshold ?? DEFAULT_THRESHOLD) : 0,
      protectedFolders: settings.protectedFolders,
      ruleSet: rules.rules,
      mediaIds: request.mediaIds ?? null,
      dryRun: input.dryRun,
      duplicates: input.duplicates,
      keep: input.keep,
      template,
      conflict: input.conflict,
      rules: categories,
      state: "planning",
      activeJobId: created.id,
      stage: "fingerprints",
      createdAt: nowIso,
      updatedAt: nowIso,
    }),
  ]);
  const job = (await getJobRow(db, created.id))!;
  await enqueueJobs(env, db, created.delivery, now);
  return job;
}

/** The plan behind an organize job (the plan job itself, or an apply/rollback job of it), if the caller may see it. */
export async function visiblePlan(
  db: Db,
  principal: Principal,
  jobId: string,
): Promise<{ job: Job; plan: OrganizePlan }> {
  const job = await getVisibleJob(db, principal, jobId);
  if (job.type !== "organize")
    throw new ApiError(409, "not_an_organize_job", "Only organize jobs have file records.");
  const planId = typeof job.input.planJobId === "string" ? job.input.planJobId : job.id;
  const plan = await db.select().from(organizePlans).where(eq(organizePlans.jobId, planId)).get();
  if (!plan) throw new ApiError(404, "not_found", "No such organize plan.");
  return { job, plan };
}

const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const PLAN_MOVED = "plan-moved";

async function activeJob(db: Db, plan: OrganizePlan): Promise<Job | undefined> {
  return db.select().from(jobs).where(eq(jobs.id, plan.activeJobId)).get();
}

/**
 * Starts an apply or rollback job of a plan, or answers with the one already doing it. The plan's
 * state moves with a conditional update on (state, active job) in the job's own batch, so two
 * concurrent requests can't both start one.
 */
export async function startFollowUp(
  env: Env,
  principal: Principal,
  jobId: string,
  action: "apply" | "rollback",
  now: Date,
): Promise<Job> {
  const db = getDb(env.DB);
  const { plan } = await visiblePlan(db, principal, jobId);
  const active = await activeJob(db, plan);
  const activeDone = !active || FINAL.has(active.status);
  const activeAction = active?.input.action;

  if (action === "apply") {
    if (plan.state === "applied" || plan.state === "rolled-back" || plan.state === "rolling-back")
      throw new ApiError(
        409,
        "plan_already_applied",
        `This plan is ${plan.state}; make a new plan to organize again.`,
      );
    if (plan.state === "planning")
      throw new ApiError(
        409,
        "plan_not_ready",
        "The plan is still being made; apply it once the job has succeeded.",
      );
    if (plan.state === "applying" && !activeDone) return active!;
  } else {
    if (plan.state === "rolled-back")
      return (await db.select().from(jobs).where(eq(jobs.id, plan.rollbackJobId!)).get())!;
    if (plan.state === "planning" || plan.state === "planned")
      throw new ApiError(409, "nothing_to_roll_back", "Nothing of this plan was applied.");
    if (!activeDone) {
      if (activeAction === "rollback") return active!;
      throw new ApiError(
        409,
        "plan_busy",
        "The plan is still being applied; cancel that job or wait for it to end.",
      );
    }
  }

  const created = createJobStatements(
    db,
    env,
    { type: organizeJob, userId: plan.ownerId, input: { action, planJobId: plan.jobId } },
    now,
  );
  const nextState: PlanState = action === "apply" ? "applying" : "rolling-back";
  const nowIso = now.toISOString();
  try {
    await db.batch([
      rawInBatch(
        db,
        sql`UPDATE organize_plans SET state = ${nextState}, active_job_id = ${created.id},
          ${action === "apply" ? sql`apply_job_id` : sql`rollback_job_id`} = ${created.id},
          stage = ${action}, cursor = '', done = 0, total = 0, done_bytes = 0, total_bytes = 0, updated_at = ${nowIso}
          WHERE job_id = ${plan.jobId} AND state = ${plan.state} AND active_job_id = ${plan.activeJobId}`,
      ),
      // Someone else moved the plan first: nothing of this batch lands.
      abortUnless(db, PLAN_MOVED, previousChangedOneRow),
      ...created.statements,
    ]);
  } catch (error) {
    if (isBatchAbort(error, PLAN_MOVED))
      throw new ApiError(409, "plan_busy", "The plan changed meanwhile; look at it again and retry.");
    throw error;
  }
  await enqueueJobs(env, db, created.delivery, now);
  return (await getJobRow(db, created.id))!;
}

/**
 * "Organize new uploads": after an upload, a user who turned it on gets a small job for that file,
 * with their rules, spending the organize limit (`takeOrganizeToken`) like POST /organize. Best
 * effort: a failure or an empty bucket is logged and never fails the upload.
 */
export async function organizeNewUpload(
  env: Env,
  row: Media,
  now: Date,
  takeOrganizeToken: () => Promise<boolean>,
): Promise<void> {
  try {
    const settings = await getSettings(getDb(env.DB), row.ownerId);
    if (!settings.autoOrganize) return;
    // The same limit as POST /organize: a burst of uploads can't start jobs past it.
    if (!(await takeOrganizeToken())) {
      console.log(JSON.stringify({ level: "info", event: "auto_organize_rate_limited", mediaId: row.id }));
      return;
    }
    await createOrganizeJob(env, row.ownerId, { mediaIds: [row.id] }, now);
  } catch (error) {
    console.log(
      JSON.stringify({ level: "warn", event: "auto_organize_failed", mediaId: row.id, error: String(error) }),
    );
  }
}
