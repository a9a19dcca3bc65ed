import type { BatchItem } from "drizzle-orm/batch";
import type { MatchKind } from "../db/organize-schema";

/**
 * Where an organize plan's files come from and where its changes land: the seam between the
 * organizer (stages, rules, keep policies, records) and a store of files. Today's one store is the
 * media library in D1 (`librarySource`); "organize in place" over an S3 bucket prefix would be
 * another implementation of this interface. Statements answered here run in the chunk's batch.
 */
export interface FileSource {
  /** Files and bytes in the plan's scope. */
  measure(): Promise<{ files: number; bytes: number }>;
  /** Files and bytes of the plan's duplicate groups (organize_groups). */
  measureGrouped(): Promise<{ files: number; bytes: number }>;
  /** The next page of files in scope, in (createdAt, id) order after `after`. */
  page(after: [string, string] | null, limit: number): Promise<SourceFile[]>;
  /** Files in scope with these ids. */
  byIds(ids: string[]): Promise<SourceFile[]>;
  /**
   * The statements that record the scope's groups of `bytes` or `pixels` twins into
   * organize_groups (set-based: nothing is read into the isolate).
   */
  exactGroups(match: Exclude<MatchKind, "similar">): BatchItem<"sqlite">[];
  /** A page of (id, perceptual hash) of images in scope, in id order after `after`. */
  perceptualHashes(after: string, limit: number): Promise<{ id: string; phash: string }[]>;
  /** Distinct images in scope whose fingerprints were never made. */
  countUnfingerprinted(): Promise<number>;
  /** Makes missing fingerprints of images in scope for up to `budgetMs`; how many, and whether more are left. */
  makeFingerprints(budgetMs: number): Promise<{ tried: number; more: boolean }>;
  /** Which (folder, lower-cased name) pairs live files hold, as `pairKey`s. */
  takenNames(pairs: [string, string][]): Promise<Set<string>>;
  /** Runs one chunk of the plan: media ids in (lo, hi] among records still `planned`. */
  applyStatements(lo: string, hi: string, protectedFolders: string[], now: Date): BatchItem<"sqlite">[];
  /** Undoes one chunk: records moved/copied/tagged/trashed/stacked in (lo, hi]. */
  rollbackStatements(lo: string, hi: string, protectedFolders: string[], now: Date): BatchItem<"sqlite">[];
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
}

export const pairKey = (folder: string, nameKey: string) => `${folder}\u0000${nameKey}`;
