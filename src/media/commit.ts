import type { BatchItem } from "drizzle-orm/batch";
import type { IdempotencyHandle } from "../app-env";
import { isBatchAbort } from "../db/batch";
import type { Db } from "../db/client";
import type { Media } from "../db/schema";
import { ApiError } from "../errors";
import { settleWrittenObject } from "./blob-store";
import {
  NAME_TAKEN,
  nameFreeGuard,
  nextFreeName,
  type OnConflict,
  type Resolution,
  sameName,
  trashSameName,
} from "./conflicts";
import { isQuotaError, mediaInsertStatements, type NewMedia, toPublic } from "./library";

/**
 * Committing an upload: the name-conflict policy (conflicts.ts) and the new file's statements in one
 * batch, then settling the object the upload wrote.
 */

export interface Committed {
  row: Media;
  /** Set when the name was taken: what the upload did about it. */
  conflict?: { resolution: Resolution; existingId: string };
}

/**
 * How often a commit that lost a race for its name picks again before giving up (409). Each round
 * at least one of the racers wins, so n uploads of one name at once need at most n rounds.
 */
const NAME_ROUNDS = 25;

/** `skip`: nothing is stored, the answer names the file that has the name. */
async function skipUpload(
  db: Db,
  existing: Media,
  idempotency: IdempotencyHandle | null,
): Promise<Committed> {
  const conflict = { resolution: "skipped" as const, existingId: existing.id };
  if (idempotency)
    await db.batch([idempotency.completeInBatch(200, { media: toPublic(existing), conflict })]);
  return { row: existing, conflict };
}

/**
 * The name to commit under and the statements that go before the insert: `replace` trashes the
 * file that has the name; otherwise the name (the upload's own, or the next free one) is guarded
 * against a concurrent upload taking it first.
 */
async function chooseName(
  db: Db,
  input: NewMedia,
  existing: Media | undefined,
  onConflict: OnConflict,
  now: Date,
): Promise<{ name: string; conflict?: Committed["conflict"]; before: BatchItem<"sqlite">[] }> {
  const { ownerId, folder } = input;
  if (!existing) return { name: input.name, before: [nameFreeGuard(db, ownerId, folder, input.name)] };
  if (onConflict === "replace")
    return {
      name: input.name,
      conflict: { resolution: "replaced", existingId: existing.id },
      before: [trashSameName(db, ownerId, folder, input.name, now.toISOString())],
    };
  const name = await nextFreeName(db, ownerId, folder, input.name);
  return {
    name,
    conflict: { resolution: "renamed", existingId: existing.id },
    before: [nameFreeGuard(db, ownerId, folder, name)],
  };
}

/** Runs the commit's batch: true when it committed, false when a concurrent upload took the name first. */
async function committedOrNameLost(db: Db, all: BatchItem<"sqlite">[]): Promise<boolean> {
  try {
    await db.batch(all as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    return true;
  } catch (error) {
    if (isQuotaError(error))
      throw new ApiError(413, "quota_exceeded", "This upload would take you over your storage quota.");
    if (!isBatchAbort(error, NAME_TAKEN)) throw error;
    return false;
  }
}

/**
 * Upload commit, shared by every upload path (multipart, resumable, tus): the name-conflict policy
 * (conflicts.ts), the insert statements and the idempotent answer, in one batch. All or nothing.
 * A commit that loses its name to a concurrent upload between choosing and committing (the batch's
 * guard) chooses again.
 */
export async function commitMedia(
  db: Db,
  input: NewMedia,
  now: Date,
  idempotency: IdempotencyHandle | null,
  onConflict: OnConflict = "rename",
): Promise<Committed> {
  for (let round = 0; round < NAME_ROUNDS; round++) {
    const existing = (await sameName(db, input.ownerId, input.folder, input.name))[0];
    if (existing && onConflict === "skip") return skipUpload(db, existing, idempotency);
    const { name, conflict, before } = await chooseName(db, input, existing, onConflict, now);
    const { row, statements } = mediaInsertStatements(db, { ...input, name }, now);
    const all: BatchItem<"sqlite">[] = [...before, ...statements];
    if (idempotency)
      all.push(idempotency.completeInBatch(201, { media: toPublic(row), ...(conflict ? { conflict } : {}) }));
    if (await committedOrNameLost(db, all)) return conflict ? { row, conflict } : { row };
  }
  throw new ApiError(409, "name_busy", "Other uploads keep taking this name; try again.");
}

/**
 * The last step of every upload path (multipart, resumable, tus): commit with the name-conflict
 * policy, then settle the object this upload wrote (`input.objectKey`, ADR 0008). No row points at
 * it after a failed commit or a `skip` (no batch took a reference), so it goes; after a commit it
 * goes only when the content was already stored under another object.
 */
export async function commitUpload(
  deps: { db: Db; bucket: R2Bucket; now: Date; idempotency: IdempotencyHandle | null },
  input: NewMedia,
  onConflict: OnConflict,
): Promise<Committed> {
  let committed: Committed;
  try {
    committed = await commitMedia(deps.db, input, deps.now, deps.idempotency, onConflict);
  } catch (error) {
    await deps.bucket.delete(input.objectKey);
    throw error;
  }
  if (committed.conflict?.resolution === "skipped") await deps.bucket.delete(input.objectKey);
  else await settleWrittenObject(deps.db, deps.bucket, input.sha256, input.objectKey);
  return committed;
}
