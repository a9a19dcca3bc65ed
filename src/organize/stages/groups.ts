import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import type { OrganizePlan } from "../../db/organize-schema";
import { parseColours } from "../../media/fingerprints/colour";
import { parseHashes, similarGroups } from "../similar";
import type { FileSource } from "../source";
import { type ChunkResult, NONE } from "./chunk";

/**
 * The stages before a plan writes records: `fingerprints` (a plan looking for pixel twins or
 * look-alikes first makes the fingerprints its images lack — the same work as the upload's and the
 * backfill job's) and `groups` (all duplicate groups of the plan's `match` kind, found once into
 * organize_groups, so the duplicates stage can walk them a chunk at a time).
 */

/** Wall time one delivery spends decoding images before it checkpoints. */
const FINGERPRINT_BUDGET_MS = 10_000;

export async function fingerprintsChunk(source: FileSource, plan: OrganizePlan): Promise<ChunkResult> {
  const next = { stage: "groups", cursor: "" } as const;
  if (plan.match === "bytes") return { statements: [], next, processed: NONE };
  const total =
    plan.cursor === "" && plan.done === 0
      ? { files: await source.countUnfingerprinted(), bytes: 0 }
      : undefined;
  const { tried, more } = await source.makeFingerprints(FINGERPRINT_BUDGET_MS);
  return {
    statements: [],
    // The blob rows are written as each image is done; the checkpoint only says how far.
    next: more ? { stage: "fingerprints", cursor: "more" } : next,
    processed: { files: tried, bytes: 0 },
    total,
  };
}

/** Rows of look-alike groups per statement: ~60 bytes of JSON each, well under D1's 2 MB value limit. */
const GROUP_ROWS_PER_STATEMENT = 5000;
/** Hashes read per query while collecting a scope's perceptual hashes. */
const HASH_PAGE = 20_000;

export async function groupsChunk(db: Db, source: FileSource, plan: OrganizePlan): Promise<ChunkResult> {
  const next = { stage: "duplicates", cursor: "" } as const;
  // An organize plan counts every file in scope from here on; a dedupe plan only the grouped ones.
  const total = plan.kind === "organize" ? await source.measure() : undefined;
  if (plan.match !== "similar")
    return { statements: source.exactGroups(plan.match), next, processed: NONE, total };

  const ids: string[] = [];
  const hex: string[] = [];
  const colours: string[] = [];
  for (let after = ""; ; ) {
    const page = await source.perceptualHashes(after, HASH_PAGE);
    for (const row of page) {
      ids.push(row.id);
      hex.push(row.phash);
      colours.push(row.colour);
    }
    if (page.length < HASH_PAGE) break;
    after = page.at(-1)!.id;
  }
  const rows: [string, string][] = [];
  // Ids come in ascending order, so a group's first member (its key) is its smallest id.
  for (const group of similarGroups(parseHashes(hex), plan.threshold, parseColours(colours)))
    for (const i of group) rows.push([ids[i]!, ids[group[0]!]!]);
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < rows.length; i += GROUP_ROWS_PER_STATEMENT)
    statements.push(
      rawInBatch(
        db,
        sql`INSERT INTO organize_groups (job_id, media_id, group_key)
          SELECT ${plan.jobId}, json_extract(value, '$[0]'), json_extract(value, '$[1]')
          FROM json_each(${JSON.stringify(rows.slice(i, i + GROUP_ROWS_PER_STATEMENT))}) WHERE true
          ON CONFLICT (job_id, media_id) DO NOTHING`,
      ),
    );
  return { statements, next, processed: NONE, total };
}
