import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { rawInBatch } from "../db/client";
import type { JobProgress } from "../db/jobs-schema";
import {
  CONFLICT_POLICIES,
  DUPLICATE_MODES,
  KEEP_POLICIES,
  MATCH_KINDS,
  type OrganizePlan,
  organizePlans,
  PLAN_KINDS,
  PLAN_STATES,
} from "../db/organize-schema";
import { defineJobType, type JobContext } from "../jobs/registry";
import { PermanentJobError } from "../jobs/runner";
import { isQuotaError } from "../media/library";
import { organizeConfig } from "./config";
import { getSettings } from "./settings";
import type { FileSource } from "./source";
import { openSource } from "./sources";
import type { ChunkResult, Count, OrganizeAction, Stage } from "./stages/chunk";
import { finish } from "./stages/finish";
import { fingerprintsChunk, groupsChunk } from "./stages/groups";
import { moveChunk } from "./stages/move";
import { duplicatesChunk, scanChunk } from "./stages/plan";

/**
 * The organize job, one chunk per delivery. A plan job walks
 * `fingerprints → groups → duplicates → scan → (apply) → finish` (a dedupe plan skips `scan`, a
 * plan matching bytes has no fingerprints to make); an apply job `apply → finish`; a rollback job
 * `rollback → finish`. Each chunk reads at most `chunkSize` files and writes its records, its changes
 * and the plan's checkpoint in the one lease-guarded batch the runner commits (see `continueJob`), so
 * a chunk happens once or not at all and a redelivery resumes at the last checkpoint.
 */

const organizeInput = z.union([
  z.object({
    action: z.literal("plan"),
    // Absent in plans made before kinds existed: those organized and matched bytes (the plan row says).
    kind: z.enum(PLAN_KINDS).optional(),
    match: z.enum(MATCH_KINDS).optional(),
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
    kind: z.enum(PLAN_KINDS),
    match: z.enum(MATCH_KINDS),
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
  // A plan job runs on its plan row (state, stage, active job), which a replay can't recreate; the
  // user starts a new plan instead.
  replay: false,
  handler: (ctx) => runOrganizeChunk(ctx),
  // Copies count against the storage quota: over it, no retry helps.
  permanentCommitError: (error) =>
    isQuotaError(error)
      ? { code: "quota_exceeded", message: "Copying these files would take you over your storage quota." }
      : undefined,
});

/** Stages whose progress is counted together (a new family starts its counts at 0). */
const family = (stage: Stage) =>
  stage === "groups" || stage === "duplicates" || stage === "scan" ? "planning" : stage;

async function runOrganizeChunk(ctx: JobContext<OrganizeInput>) {
  const { db, claim, input } = ctx;
  const planId = "planJobId" in input ? input.planJobId : claim.job.id;
  const plan = await db.select().from(organizePlans).where(eq(organizePlans.jobId, planId)).get();
  if (!plan) throw new PermanentJobError("plan_missing", "The organize plan no longer exists.");
  if (plan.activeJobId !== claim.job.id)
    throw new PermanentJobError("plan_busy", "Another job is working on this plan.");
  const config = organizeConfig(ctx.env);
  const now = ctx.now();
  const heartbeat = () => ctx.step(progressOf(plan, input.action, plan.stage as Stage));
  const source = await openSource(ctx, plan, heartbeat);
  // No step here: the claim has just taken the lease, the previous delivery published this very
  // progress, and a cancel asked for meanwhile stops the checkpoint batch (a D1 write and a progress
  // publish less per delivery).

  // A stage that ends without work (no duplicates, nothing left to apply) hands over to the next
  // stage within the same delivery; any chunk with work ends the delivery with its checkpoint.
  let current = plan;
  for (let hop = 0; ; hop++) {
    const at = current.stage as Stage;
    if (at === "finish") return finish(db, current, input.action, now);
    const chunk = await runStage(ctx, source, current, at, config.chunkSize, now);
    const total: Count = chunk.total ?? { files: current.total, bytes: current.totalBytes };
    let after: OrganizePlan = {
      ...current,
      stage: chunk.next.stage,
      cursor: chunk.next.cursor,
      done: current.done + chunk.processed.files,
      doneBytes: current.doneBytes + chunk.processed.bytes,
      total: total.files,
      totalBytes: total.bytes,
    };
    const shown = progressOf(after, input.action, at);
    if (family(chunk.next.stage) !== family(at) && chunk.next.stage !== "finish")
      after = { ...after, done: 0, doneBytes: 0, total: 0, totalBytes: 0 };
    const stageChanged = chunk.next.stage !== at;
    if (chunk.statements.length === 0 && stageChanged && hop < 6) {
      current = after;
      continue;
    }
    const checkpoint = rawInBatch(
      db,
      sql`UPDATE organize_plans SET stage = ${after.stage}, cursor = ${after.cursor},
        done = ${after.done}, total = ${after.total}, done_bytes = ${after.doneBytes}, total_bytes = ${after.totalBytes},
        state = CASE WHEN ${after.stage} = 'apply' THEN 'applying' ELSE state END,
        updated_at = ${now.toISOString()}
        WHERE job_id = ${plan.jobId} AND active_job_id = ${claim.job.id}`,
    );
    return { continue: true as const, checkpoint: [...chunk.statements, checkpoint], progress: shown };
  }
}

async function runStage(
  ctx: JobContext<unknown>,
  source: FileSource,
  plan: OrganizePlan,
  stage: Exclude<Stage, "finish">,
  chunkSize: number,
  now: Date,
): Promise<ChunkResult> {
  const { db } = ctx;
  switch (stage) {
    case "fingerprints":
      return fingerprintsChunk(source, plan);
    case "groups":
      return groupsChunk(db, source, plan);
    case "duplicates":
      return duplicatesChunk(db, source, plan, chunkSize, now);
    case "scan":
      return scanChunk(db, source, plan, chunkSize, now);
    case "apply":
    case "rollback": {
      // Folders protected now count, not only when the plan was made.
      const { protectedFolders } = await getSettings(db, plan.ownerId);
      return moveChunk(stage, db, source, plan, protectedFolders, chunkSize, now);
    }
  }
}

/**
 * Progress for watchers, in files and bytes of the current stage family. A plan job that also
 * applies spends the first half planning, the second applying; fingerprinting (pixel and look-alike
 * plans) is the first fifth of planning.
 */
function progressOf(plan: OrganizePlan, action: OrganizeAction, stage: Stage): JobProgress {
  const fraction = plan.total > 0 ? Math.min(1, plan.done / plan.total) : 0;
  let percent = fraction * 100;
  if (action === "plan") {
    const fp = plan.match === "bytes" ? 0 : 20;
    if (stage === "fingerprints") percent = fraction * fp;
    else if (family(stage) === "planning") percent = fp + fraction * (100 - fp);
    if (!plan.dryRun) percent = stage === "apply" ? 50 + fraction * 50 : percent / 2;
  }
  return {
    stage: family(stage) === "planning" || stage === "fingerprints" ? `planning:${stage}` : stage,
    unit: "files",
    done: plan.done,
    total: plan.total,
    bytesDone: plan.doneBytes,
    bytesTotal: plan.totalBytes,
    percent: Math.min(99, Math.floor(percent)),
  };
}
