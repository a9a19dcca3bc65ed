import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, rawInBatch } from "../../db/client";
import { type OrganizePlan, organizeFiles, organizeNames } from "../../db/organize-schema";
import { nameVariant, variantReadings } from "../../media/names";
import { type FileSource, pairKey } from "../source";
import type { PlannedFile } from "./records";

/** Candidate names looked up per round of `resolveConflicts` (bounds its memory for any window). */
const CANDIDATES_PER_ROUND = 8000;

/**
 * Names at the destination: a name is taken by a live file already in that folder (even one that will
 * move away later, so the order chunks run in never matters) or by another file this plan sends
 * there. `rename-new` picks the first free `name (n).ext`, `skip` leaves the file where it is,
 * `keep-both` lets two files share the name (library names are labels, not keys).
 */
export async function resolveConflicts(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  files: PlannedFile[],
): Promise<void> {
  const moving = files.filter((f) => f.status === "planned" && f.newFolder !== null && f.newName !== null);
  if (moving.length === 0 || plan.conflict === "keep-both") return;
  const claimed = new Set<string>();
  let pending: Probe[] = moving.map((f) => ({ f, n: 1 }));
  let window = 1;
  let seeded = false;
  while (pending.length > 0) {
    // Once seeded, every name probed is a `(n)` above the highest this plan's records have there, so
    // only live files can hold it: the records' lookups (one index seek per name) are skipped.
    const still = await probeRound(db, source, plan, { pending, window, claimed, aboveRecords: seeded });
    // After the plain names: start each name's probe above the highest `name (n)` this plan already
    // gave out in that folder (organize_names, a primary-key lookup per name), instead of walking up
    // from (2) — the n-th copy of a name would otherwise probe n names, and a library with many
    // copies goes quadratic.
    // That first guess is almost always free, so it is probed alone (window 1) before windows grow:
    // probing a full window of 19 names per file there would cost 19× the lookups for nothing.
    if (!seeded && still.length > 0) {
      seeded = true;
      const highest = await highestVariants(
        db,
        plan,
        still.map((e) => e.f),
      );
      for (const entry of still) entry.n = Math.max(entry.n + window, (highest.get(entry.f) ?? 0) + 1);
      pending = still;
      continue;
    }
    for (const entry of still) entry.n += window;
    pending = still;
    window = Math.min(window * 4 + 15, 1024);
  }
}

/** A file looking for a free name, and the `(n)` its next round of names starts at (1: its own name). */
interface Probe {
  f: PlannedFile;
  n: number;
}

/**
 * One round: each pending file probes `window` names from its `n` and takes the first free one that
 * no other file of the plan claimed, or is skipped (`skip`). Returns the files that found none.
 */
async function probeRound(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  round: { pending: Probe[]; window: number; claimed: Set<string>; aboveRecords: boolean },
): Promise<Probe[]> {
  const { pending, window, claimed, aboveRecords } = round;
  const still: Probe[] = [];
  // Files a slice at a time so one round holds at most CANDIDATES_PER_ROUND names, whatever the window.
  const slice = Math.max(1, Math.floor(CANDIDATES_PER_ROUND / window));
  for (let s = 0; s < pending.length; s += slice) {
    const entries = pending
      .slice(s, s + slice)
      .map((entry) => ({ entry, names: candidateNames(entry, window) }));
    const pairs = entries.flatMap(({ entry, names }) =>
      names.map((c) => [entry.f.newFolder!, c.name] as [string, string]),
    );
    const taken = aboveRecords ? await source.takenNames(pairs) : await takenNames(db, source, plan, pairs);
    for (const { entry, names } of entries) {
      const free = names.find((c) => !taken.has(c.key) && !claimed.has(c.key));
      if (free) {
        claimed.add(free.key);
        entry.f.newName = free.name;
      } else if (plan.conflict === "skip") {
        Object.assign(entry.f, { action: "skip", status: "skipped", reason: "conflict" });
      } else {
        still.push(entry);
      }
    }
  }
  return still;
}

/** The `window` names from the probe's `n` on (n = 1 is the file's own name), with their lookup keys. */
function candidateNames(entry: Probe, window: number) {
  return Array.from({ length: window }, (_, i) => {
    const name = entry.n + i === 1 ? entry.f.m.name : nameVariant(entry.f.m.name, entry.n + i);
    return { name, key: pairKey(entry.f.newFolder!, name.toLowerCase()) };
  });
}

/**
 * The statement that keeps organize_names up to date with a chunk's records (committed with them):
 * per destination folder and base name, the highest `(n)` any record there reads as.
 */
export function recordVariants(db: Db, plan: OrganizePlan, files: PlannedFile[]): BatchItem<"sqlite">[] {
  const high = new Map<string, number>();
  for (const f of files) {
    if (f.newFolder === null || f.newName === null) continue;
    for (const [base, n] of variantReadings(f.newName.toLowerCase())) {
      const key = JSON.stringify([f.newFolder, base]);
      high.set(key, Math.max(n, high.get(key) ?? 0));
    }
  }
  if (high.size === 0) return [];
  const rows = [...high].map(([key, n]) => [...(JSON.parse(key) as [string, string]), n]);
  return [
    rawInBatch(
      db,
      sql`INSERT INTO organize_names (job_id, folder, name_key, high)
        SELECT ${plan.jobId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
        FROM json_each(${JSON.stringify(rows)}) WHERE true
        ON CONFLICT (job_id, folder, name_key) DO UPDATE SET high = max(high, excluded.high)`,
    ),
  ];
}

/** Per file, the highest n of a `name (n).ext` the plan already sends to its destination folder (0: none). */
async function highestVariants(
  db: Db,
  plan: OrganizePlan,
  files: PlannedFile[],
): Promise<Map<PlannedFile, number>> {
  const result = new Map<PlannedFile, number>();
  for (let i = 0; i < files.length; i += 1000) {
    const page = files.slice(i, i + 1000);
    const list = JSON.stringify(page.map((f) => [f.newFolder!, f.m.name.toLowerCase()]));
    const wanted = sql`(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${list}))`;
    const rows = await db
      .select({ folder: organizeNames.folder, nameKey: organizeNames.nameKey, high: organizeNames.high })
      .from(organizeNames)
      .where(
        and(
          eq(organizeNames.jobId, plan.jobId),
          sql`(${organizeNames.folder}, ${organizeNames.nameKey}) IN ${wanted}`,
        ),
      )
      .all();
    const high = new Map(rows.map((r) => [pairKey(r.folder, r.nameKey), r.high]));
    for (const f of page) result.set(f, high.get(pairKey(f.newFolder!, f.m.name.toLowerCase())) ?? 0);
  }
  return result;
}

/** Which of `pairs` (folder, name) are taken: by a live file (the source) or by this plan's records. */
async function takenNames(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  pairs: [string, string][],
): Promise<Set<string>> {
  const pages: Promise<{ folder: string | null; nameKey: string | null }[]>[] = [];
  for (let i = 0; i < pairs.length; i += 1000) {
    const list = JSON.stringify(pairs.slice(i, i + 1000).map(([f, name]) => [f, name.toLowerCase()]));
    const wanted = sql`(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${list}))`;
    pages.push(
      db
        .select({ folder: organizeFiles.newFolder, nameKey: organizeFiles.newNameKey })
        .from(organizeFiles)
        .where(
          and(
            eq(organizeFiles.jobId, plan.jobId),
            sql`(${organizeFiles.newFolder}, ${organizeFiles.newNameKey}) IN ${wanted}`,
          ),
        )
        .all(),
    );
  }
  const [live, ...planned] = await Promise.all([source.takenNames(pairs), ...pages]);
  for (const rows of planned) for (const r of rows) live.add(pairKey(r.folder ?? "", r.nameKey ?? ""));
  return live;
}
