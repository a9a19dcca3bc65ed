import type { BatchItem } from "drizzle-orm/batch";
import type { MatchKind } from "../db/organize-schema";

/**
 * Where an organize plan's files come from and where its changes land: the seam between the
 * organizer (stages, rules, keep policies, records) and a store of files: the media library in D1
 * (`librarySource`) or a prefix of a storage connection (`bucketSource`, organize in place).
 * `openSource` (sources/index.ts) picks one for a plan. Statements answered here run in the chunk's batch.
 */
export interface FileSource {
  /**
   * What the store can do beyond moving and copying: a bucket has no tags and no trash (records that
   * would need them are skipped with reason `unsupported`), and a bucket plan finds no duplicates.
   */
  readonly supports: { tags: boolean; trash: boolean };
  /** Most files one apply or rollback chunk may take here (a bucket pays store requests per file). */
  readonly maxChunk: number | null;
  /** Files and bytes in the plan's scope. */
  measure(): Promise<{ files: number; bytes: number }>;
  /** Files and bytes of the plan's duplicate groups (organize_groups). */
  measureGrouped(): Promise<{ files: number; bytes: number }>;
  /**
   * The next page of files in scope, in (createdAt, id) order after `after`; with `unrecorded`, only
   * files that have no record in the plan yet (e.g. planned already as duplicates).
   */
  page(
    after: [string, string] | null,
    limit: number,
    options?: { unrecorded?: boolean },
  ): Promise<SourceFile[]>;
  /** Files in scope with these ids. */
  byIds(ids: string[]): Promise<SourceFile[]>;
  /**
   * The statements that record the scope's groups of `bytes` or `pixels` twins into
   * organize_groups (set-based: nothing is read into the isolate).
   */
  exactGroups(match: Exclude<MatchKind, "similar">): BatchItem<"sqlite">[];
  /** A page of (id, perceptual hash, colour signature) of images in scope, of today's version, in id order after `after`. */
  perceptualHashes(after: string, limit: number): Promise<{ id: string; phash: string; colour: string }[]>;
  /** Distinct images in scope whose fingerprints were never made. */
  countUnfingerprinted(): Promise<number>;
  /** Makes missing fingerprints of images in scope for up to `budgetMs`; how many, and whether more are left. */
  makeFingerprints(budgetMs: number): Promise<{ tried: number; more: boolean }>;
  /**
   * Which (folder, name) pairs live files hold, as `pairKey`s of the lower-cased name. Library names
   * match ignoring case; a bucket's keys are exact, so it looks the name up as given.
   */
  takenNames(pairs: [string, string][]): Promise<Set<string>>;
  /**
   * Runs one chunk of the plan: media ids in (lo, hi] among records still `planned` (or `moving`,
   * left by a delivery that died mid-chunk). Work outside D1 happens here; the answer is the
   * statements that record it, committed with the checkpoint.
   */
  apply(lo: string, hi: string, protectedFolders: string[], now: Date): Promise<BatchItem<"sqlite">[]>;
  /** Undoes one chunk: records moved/copied/tagged/trashed/stacked (or `restoring`) in (lo, hi]. */
  rollback(lo: string, hi: string, protectedFolders: string[], now: Date): Promise<BatchItem<"sqlite">[]>;
}

/** A file as the organizer sees it. */
export interface SourceFile {
  id: string;
  name: string;
  nameKey: string;
  folder: string;
  mime: string;
  size: number;
  sha256: string;
  createdAt: string;
  tags: string[];
  width: number | null;
  height: number | null;
  /** SHA-256 of the decoded pixels, when the plan looks for them and the file has them. */
  pixelHash: string | null;
  /** When the photo was taken (EXIF/XMP, UTC; media.taken_at), if the file says. */
  takenAt: string | null;
  /** The camera's wall-clock time the photo was taken (metadata.takenLocal), for `{taken.yyyy}`. */
  takenLocal: string | null;
  /** The store's entity tag (bucket objects; absent in the library), to see a change before acting. */
  etag?: string;
}

export const pairKey = (folder: string, nameKey: string) => `${folder}\u0000${nameKey}`;
