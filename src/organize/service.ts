import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Principal } from "../app-env";
import { type AuditContext, auditStatement } from "../audit/record";
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
import { type CreatedJob, createJobStatements } from "../jobs/create";
import { enqueueJobs } from "../jobs/dispatch";
import { getJobRow } from "../jobs/lifecycle";
import { getVisibleJob } from "../jobs/queries";
import { normalizeFolder } from "../media/names";
import { loadRules as loadCategories } from "./categories";
import { type OrganizeInput, organizeJob } from "./job";
import type { OrganizeRule } from "./rules/types";
import { getRules, getSettings } from "./settings";
import { DEFAULT_THRESHOLD } from "./similar";
import { checkBucketPlan } from "./sources";
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
  /** Organize in place: the objects under `prefix` of the caller's storage connection. */
  source?: { connectionId: string; prefix: string };
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
  const template = request.template !== undefined ? validateTemplate(request.template) : settings.template;
  const match = request.match ?? "bytes";
  const conflict = request.conflict ?? settings.conflict;
  const bucket = request.source
    ? await bucketPlan(db, env, userId, request, { match, conflict, rules })
    : null;
  const folder = bucket?.folder ?? normalizeFolder(request.folder ?? "/");
  checkThreshold(request, match);
  const input = planInput(request, { match, folder, template, conflict });
  const created = createJobStatements(db, env, { type: organizeJob, userId, input }, now);
  const nowIso = now.toISOString();
  await db.batch([
    ...(created.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
    db.insert(organizePlans).values({
      jobId: created.id,
      ownerId: userId,
      folder,
      connectionId: bucket?.connectionId ?? null,
      prefix: bucket?.prefix ?? null,
      kind: input.kind,
      match,
      threshold: match === "similar" ? (request.threshold ?? DEFAULT_THRESHOLD) : 0,
      // Protected folders are library folders; a bucket's keys are not under them.
      protectedFolders: bucket ? [] : settings.protectedFolders,
      ruleSet: rules.rules,
      mediaIds: request.mediaIds ?? null,
      dryRun: input.dryRun,
      duplicates: input.duplicates,
      keep: input.keep,
      template,
      conflict,
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

function checkThreshold(request: OrganizeRequest, match: MatchKind) {
  if (request.threshold !== undefined && match !== "similar")
    throw new ApiError(422, "invalid_threshold", "A threshold is for look-alikes only (match: similar).", {
      errors: [{ path: "threshold", message: "only with match: similar", code: "invalid_threshold" }],
    });
}

/** The plan job's input: the request with the defaults filled in (the settings' where it has none). */
function planInput(
  request: OrganizeRequest,
  settled: { match: MatchKind; folder: string; template: string; conflict: ConflictPolicy },
) {
  return {
    action: "plan",
    kind: request.kind ?? "organize",
    match: settled.match,
    folder: settled.folder,
    dryRun: request.dryRun ?? false,
    duplicates: request.duplicates ?? "report",
    keep: request.keep ?? "oldest",
    template: settled.template,
    conflict: settled.conflict,
    ...(request.mediaIds ? { mediaIds: request.mediaIds, auto: true } : {}),
  } satisfies OrganizeInput;
}

/** An organize-in-place request checked (see checkBucketPlan); `folder` does not go with `source`. */
function bucketPlan(
  db: Db,
  env: Env,
  userId: string,
  request: OrganizeRequest,
  plan: { match: MatchKind; conflict: ConflictPolicy; rules: { rules: OrganizeRule[] } },
) {
  if (request.folder !== undefined)
    throw new ApiError(
      422,
      "folder_with_source",
      "Organize a folder or a bucket prefix (source), not both.",
      {
        errors: [{ path: "folder", message: "not with source", code: "invalid_value" }],
      },
    );
  return checkBucketPlan({ db, env }, userId, request.source!, {
    kind: request.kind ?? "organize",
    match: plan.match,
    duplicates: request.duplicates ?? "report",
    conflict: plan.conflict,
    rules: plan.rules.rules,
  });
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
  action: FollowUp,
  now: Date,
  audit: AuditContext,
): Promise<Job> {
  const db = getDb(env.DB);
  const { plan } = await visiblePlan(db, principal, jobId);
  const active = await activeJob(db, plan);
  const running = active && !FINAL.has(active.status) ? active : undefined;
  const underWay =
    action === "apply" ? applyUnderWay(plan, running) : await rollbackUnderWay(db, plan, running);
  if (underWay) return underWay;

  const created = createJobStatements(
    db,
    env,
    { type: organizeJob, userId: plan.ownerId, input: { action, planJobId: plan.jobId } },
    now,
  );
  await commitFollowUp(db, plan, action, created, audit, now.toISOString());
  await enqueueJobs(env, db, created.delivery, now);
  return (await getJobRow(db, created.id))!;
}

type FollowUp = "apply" | "rollback";

/** States in which a plan was applied already (or is being undone): a new plan organizes again. */
const APPLIED = new Set<PlanState>(["applied", "rolled-back", "rolling-back"]);

/** The apply job already running for the plan, if any; refuses a plan that can't be applied (now). */
function applyUnderWay(plan: OrganizePlan, running: Job | undefined): Job | undefined {
  if (APPLIED.has(plan.state))
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
  return plan.state === "applying" ? running : undefined;
}

/**
 * The rollback job that did or does the plan's rollback, if any; refuses a plan with nothing
 * applied, or one whose apply job still runs.
 */
async function rollbackUnderWay(
  db: Db,
  plan: OrganizePlan,
  running: Job | undefined,
): Promise<Job | undefined> {
  if (plan.state === "rolled-back")
    return (await db.select().from(jobs).where(eq(jobs.id, plan.rollbackJobId!)).get())!;
  if (plan.state === "planning" || plan.state === "planned")
    throw new ApiError(409, "nothing_to_roll_back", "Nothing of this plan was applied.");
  if (!running || running.input.action === "rollback") return running;
  throw new ApiError(
    409,
    "plan_busy",
    "The plan is still being applied; cancel that job or wait for it to end.",
  );
}

/**
 * Moves the plan to its next state and active job in the new job's own batch, with the audit
 * record. The update is conditional on (state, active job): when another request moved the plan
 * first, nothing of the batch lands and the caller gets a 409.
 */
async function commitFollowUp(
  db: Db,
  plan: OrganizePlan,
  action: FollowUp,
  created: CreatedJob,
  audit: AuditContext,
  nowIso: string,
) {
  const nextState: PlanState = action === "apply" ? "applying" : "rolling-back";
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
      auditStatement(
        db,
        audit,
        {
          action: action === "apply" ? "organize.apply" : "organize.rollback",
          subjectId: plan.ownerId,
          targetType: "job",
          targetId: plan.jobId,
          detail: { jobId: created.id },
        },
        nowIso,
      ),
    ]);
  } catch (error) {
    if (isBatchAbort(error, PLAN_MOVED))
      throw new ApiError(409, "plan_busy", "The plan changed meanwhile; look at it again and retry.");
    throw error;
  }
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
