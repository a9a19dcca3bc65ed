import { and, eq, gt, inArray, lte, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import { type FileAction, type FileStatus, type OrganizePlan, organizeFiles } from "../../db/organize-schema";
import { mapInParallel } from "../../lib/parallel";
import { StorageError, type StorageProvider, type StoredObjectInfo } from "../../storage/provider";
import { BUCKET_WIDTH, keyOf } from "./bucket-keys";

/**
 * Applying and undoing a chunk of a plan in a bucket. A bucket has no rename: a move is a
 * server-side copy and then a delete, so each file goes through a journal in its record:
 *
 *   planned → (checked, intent recorded) moving → (copied, copy verified, original deleted) moved
 *
 * The intent is committed to D1 before the copy is made, and the original is deleted only after the
 * copy is seen in place. A delivery that dies anywhere leaves every object at its old key, its new
 * one, or (between copy and delete) both; the next delivery finds the record `moving` and finishes
 * it from what it finds in the store, so each object ends up moved exactly once and none is lost.
 * The intent goes first (not the copy) because a found object can't be proven to be this plan's
 * copy: an ETag is no content hash (multipart uploads, encryption), so a copy left by a dead
 * delivery would otherwise look like someone else's object. Rollback is the mirror image
 * (`restoring`). Whatever changed since the plan was made (the object, or its destination now taken)
 * is skipped with a reason, never overwritten.
 */

export interface BucketSourceDeps {
  db: Db;
  provider: StorageProvider;
  plan: Pick<OrganizePlan, "jobId" | "activeJobId" | "prefix">;
  /** Files per apply or rollback chunk (each costs a few store requests). */
  maxChunk: number;
  /** Stage boundary between recording a chunk's intent and acting on it (lease, cancellation). */
  heartbeat: () => Promise<void>;
}

interface Rec {
  key: string;
  to: string;
  action: FileAction;
  status: FileStatus;
  size: number;
  /** The object's ETag when planned; after apply, the copy's (what a rollback expects to find). */
  etag: string | null;
}

/** A record's next state, and the state it must still be in (so a stale delivery changes nothing). */
interface Outcome {
  key: string;
  from: FileStatus;
  status: FileStatus;
  reason: string | null;
  etag: string | null;
}

/** What the store said about a record's two keys in this delivery, so acting need not ask again. */
interface Seen {
  at: StoredObjectInfo | null;
  there: StoredObjectInfo | null;
}

const MOVES: FileAction[] = ["move", "dup-move"];

const outcome = (
  r: Rec,
  status: FileStatus,
  reason: string | null = null,
  etag: string | null = null,
): Outcome => ({
  key: r.key,
  from: r.status,
  status,
  reason,
  etag,
});

async function load(deps: BucketSourceDeps, lo: string, hi: string, statuses: FileStatus[]) {
  const rows = await deps.db
    .select({
      key: organizeFiles.mediaId,
      newFolder: organizeFiles.newFolder,
      newName: organizeFiles.newName,
      action: organizeFiles.action,
      status: organizeFiles.status,
      size: organizeFiles.size,
      etag: organizeFiles.etag,
    })
    .from(organizeFiles)
    .where(
      and(
        eq(organizeFiles.jobId, deps.plan.jobId),
        gt(organizeFiles.mediaId, lo),
        lte(organizeFiles.mediaId, hi),
        inArray(organizeFiles.status, statuses),
      ),
    )
    .all();
  return rows.map(
    (r): Rec => ({
      key: r.key,
      to: r.newFolder !== null && r.newName !== null ? keyOf(r.newFolder, r.newName) : r.key,
      action: r.action,
      status: r.status,
      size: r.size,
      etag: r.etag,
    }),
  );
}

/** The records' new states, guarded by their old ones and by the plan still being this job's. */
function record(deps: BucketSourceDeps, outcomes: Outcome[], now: Date): BatchItem<"sqlite"> {
  const nowIso = now.toISOString();
  const rows = JSON.stringify(outcomes.map((o) => [o.key, o.from, o.status, o.reason, o.etag]));
  const v = (i: number) => sql.raw(`json_extract(j.value, '$[${i}]')`);
  return rawInBatch(
    deps.db,
    sql`UPDATE organize_files SET status = ${v(2)}, reason = ${v(3)}, etag = coalesce(${v(4)}, organize_files.etag),
        applied_at = CASE WHEN ${v(2)} IN ('moved', 'copied') THEN ${nowIso} ELSE organize_files.applied_at END,
        updated_at = ${nowIso}
      FROM json_each(${rows}) AS j
      WHERE organize_files.job_id = ${deps.plan.jobId} AND organize_files.media_id = ${v(0)}
        AND organize_files.status = ${v(1)}
        AND EXISTS (SELECT 1 FROM organize_plans p WHERE p.job_id = ${deps.plan.jobId} AND p.active_job_id = ${deps.plan.activeJobId})`,
  );
}

/** The same bytes as recorded, as far as the store can tell (size and ETag). */
const asRecorded = (o: StoredObjectInfo | null, r: Rec) =>
  o !== null && o.size === r.size && o.etag === r.etag;

/** Copies `from` to `to` and answers the copy as the store now holds it. */
async function copyVerified(provider: StorageProvider, from: string, to: string, size: number) {
  await provider.copy(from, to);
  const copy = await provider.head(to);
  if (!copy || copy.size !== size)
    throw new StorageError("failed", `Copying ${from}: the copy at ${to} is not there in full.`);
  return copy;
}

/**
 * The two-step journal both directions share: `check` each record in `first` (its outcome: the
 * intent, or skipped), commit those outcomes, then `finish` every record whose intent is recorded —
 * this delivery's and any a dead delivery left — re-reading them from D1, the one truth.
 */
async function journal(
  deps: BucketSourceDeps,
  range: { lo: string; hi: string; intent: FileStatus },
  first: Rec[],
  check: (r: Rec) => Promise<{ outcome: Outcome; seen?: Seen }>,
  finish: (r: Rec, seen: Seen | undefined) => Promise<Outcome>,
  now: Date,
): Promise<BatchItem<"sqlite">[]> {
  const checked = await mapInParallel(first, BUCKET_WIDTH, check);
  const seen = new Map(checked.flatMap((c) => (c.seen ? [[c.outcome.key, c.seen] as const] : [])));
  if (checked.length > 0)
    await deps.db.batch([
      record(
        deps,
        checked.map((c) => c.outcome),
        now,
      ),
    ]);
  await deps.heartbeat();
  const intents = await load(deps, range.lo, range.hi, [range.intent]);
  const done = await mapInParallel(intents, BUCKET_WIDTH, (r) => finish(r, seen.get(r.key)));
  return done.length > 0 ? [record(deps, done, now)] : [];
}

/** The original's and the destination's objects: as this delivery saw them, or asked now. */
async function lookBoth(provider: StorageProvider, r: Rec, seen: Seen | undefined) {
  if (seen) return [seen.at, seen.there] as const;
  // A copy's rollback never looks at the original: it only removes the copy.
  const original = r.action === "copy" && r.status === "restoring" ? null : provider.head(r.key);
  return Promise.all([original, provider.head(r.to)]);
}

const doneStatus = (r: Rec): FileStatus => (r.action === "copy" ? "copied" : "moved");

/** Ends a recorded move (or copy) from what the store holds at both keys. */
async function settleMove(
  provider: StorageProvider,
  r: Rec,
  at: StoredObjectInfo | null,
  there: StoredObjectInfo | null,
): Promise<Outcome> {
  if (asRecorded(at, r)) return completeMove(provider, r, there);
  // The original is gone: a dead delivery finished the copy and the delete (or someone deleted it).
  if (!at)
    return there?.size === r.size
      ? outcome(r, doneStatus(r), null, there.etag)
      : outcome(r, "skipped", "missing");
  // The original changed after the intent: it stays; a copy of the planned bytes this plan made goes.
  if (asRecorded(there, r)) await provider.delete(r.to);
  return outcome(r, "skipped", "changed");
}

/** The original is as planned: copy it unless the copy is there, then delete it (a move). */
async function completeMove(provider: StorageProvider, r: Rec, there: StoredObjectInfo | null) {
  // A copy already there is this plan's (the place was free when the intent was recorded), unless
  // it is not the same size: then someone else's object took the place meanwhile.
  if (there && there.size !== r.size) return outcome(r, "skipped", "conflict");
  const copy = there ?? (await copyVerified(provider, r.key, r.to, r.size));
  const done = doneStatus(r);
  if (done === "moved") await provider.delete(r.key);
  return outcome(r, done, null, copy.etag);
}

/** Ends a recorded restore from what the store holds at both keys. */
async function settleRestore(
  provider: StorageProvider,
  r: Rec,
  at: StoredObjectInfo | null,
  there: StoredObjectInfo | null,
): Promise<Outcome> {
  if (asRecorded(there, r)) return completeRestore(provider, r, at);
  if (there) return outcome(r, "rollback-skipped", "changed");
  // The moved copy is gone: a dead delivery finished (the original is back), or someone deleted it.
  return r.action === "copy" || at?.size === r.size
    ? outcome(r, "rolled-back", null, at?.etag ?? null)
    : outcome(r, "rollback-skipped", "missing");
}

/** The moved copy is as applied: put the original back unless it is there, then remove the copy. */
async function completeRestore(provider: StorageProvider, r: Rec, at: StoredObjectInfo | null) {
  if (r.action !== "copy") {
    if (at && at.size !== r.size) return outcome(r, "rollback-skipped", "occupied");
    const back = at ?? (await copyVerified(provider, r.to, r.key, r.size));
    await provider.delete(r.to);
    return outcome(r, "rolled-back", null, back.etag);
  }
  await provider.delete(r.to);
  return outcome(r, "rolled-back");
}

export async function applyInBucket(
  deps: BucketSourceDeps,
  lo: string,
  hi: string,
  now: Date,
): Promise<BatchItem<"sqlite">[]> {
  const { provider } = deps;
  const planned = await load(deps, lo, hi, ["planned"]);

  async function check(r: Rec) {
    if (!MOVES.includes(r.action) && r.action !== "copy")
      return { outcome: outcome(r, "skipped", "unsupported") };
    const at = await provider.head(r.key);
    if (!at) return { outcome: outcome(r, "skipped", "missing") };
    if (!asRecorded(at, r)) return { outcome: outcome(r, "skipped", "changed") };
    // Taken since the plan was made: never overwritten.
    const there = await provider.head(r.to);
    if (there) return { outcome: outcome(r, "skipped", "conflict") };
    return { outcome: outcome(r, "moving"), seen: { at, there } };
  }

  const finish = async (r: Rec, seen: Seen | undefined) =>
    settleMove(provider, r, ...(await lookBoth(provider, r, seen)));

  return journal(deps, { lo, hi, intent: "moving" }, planned, check, finish, now);
}

export async function rollbackInBucket(
  deps: BucketSourceDeps,
  lo: string,
  hi: string,
  now: Date,
): Promise<BatchItem<"sqlite">[]> {
  const { provider } = deps;
  const applied = await load(deps, lo, hi, ["moved", "copied"]);

  async function check(r: Rec) {
    const there = await provider.head(r.to);
    if (!there) return { outcome: outcome(r, "rollback-skipped", "missing") };
    if (!asRecorded(there, r)) return { outcome: outcome(r, "rollback-skipped", "changed") };
    if (r.status === "copied") return { outcome: outcome(r, "restoring"), seen: { at: null, there } };
    // Something new at the old key since: it is not overwritten.
    const at = await provider.head(r.key);
    if (at) return { outcome: outcome(r, "rollback-skipped", "occupied") };
    return { outcome: outcome(r, "restoring"), seen: { at, there } };
  }

  const finish = async (r: Rec, seen: Seen | undefined) =>
    settleRestore(provider, r, ...(await lookBoth(provider, r, seen)));

  return journal(deps, { lo, hi, intent: "restoring" }, applied, check, finish, now);
}
