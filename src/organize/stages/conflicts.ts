import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type OrganizePlan, organizeFiles } from "../../db/organize-schema";
import { nameVariant } from "../../media/names";
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
  let pending = moving.map((f) => ({ f, n: 1 }));
  let window = 1;
  let seeded = false;
  while (pending.length > 0) {
    const still: typeof pending = [];
    // Files a slice at a time so one round holds at most CANDIDATES_PER_ROUND names, whatever the window.
    const slice = Math.max(1, Math.floor(CANDIDATES_PER_ROUND / window));
    for (let s = 0; s < pending.length; s += slice) {
      const entries = pending.slice(s, s + slice).map((entry) => ({
        entry,
        names: Array.from({ length: window }, (_, i) => {
          const name = entry.n + i === 1 ? entry.f.m.name : nameVariant(entry.f.m.name, entry.n + i);
          return { name, key: pairKey(entry.f.newFolder!, name.toLowerCase()) };
        }),
      }));
      const taken = await takenNames(
        db,
        source,
        plan,
        entries.flatMap(({ entry, names }) =>
          names.map((c) => [entry.f.newFolder!, c.name.toLowerCase()] as [string, string]),
        ),
      );
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
    // After the plain names: start each name's probe above the highest `name (n)` this plan already
    // gave out in that folder (one indexed range query), instead of walking up from (2) — the n-th copy
    // of a name would otherwise probe n names, and a library with many copies goes quadratic.
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

/** `name (n).ext` → the key's prefix up to `(` and its suffix from `)` (as `nameVariant` builds them). */
function variantParts(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  const key = name.toLowerCase();
  return dot <= 0 ? [`${key} (`, ")"] : [`${key.slice(0, dot)} (`, `)${key.slice(dot)}`];
}

/** Per file, the highest n of a `name (n).ext` the plan already sends to its destination folder (0: none). */
async function highestVariants(
  db: Db,
  plan: OrganizePlan,
  files: PlannedFile[],
): Promise<Map<PlannedFile, number>> {
  const wanted = new Map<string, PlannedFile[]>();
  for (const f of files) {
    const [prefix, suffix] = variantParts(f.m.name);
    // [folder, lowest key, key past the last, where n starts (1-based), suffix]: variants are `prefix<digits>suffix`.
    const key = JSON.stringify([f.newFolder!, `${prefix}0`, `${prefix}:`, prefix.length + 1, suffix]);
    wanted.set(key, [...(wanted.get(key) ?? []), f]);
  }
  const keys = [...wanted.keys()];
  const result = new Map<PlannedFile, number>();
  for (let i = 0; i < keys.length; i += 500) {
    const page = keys.slice(i, i + 500);
    // CROSS JOIN keeps json_each outside, so each wanted name is one range seek on the destination
    // index (left to itself, D1's planner scans the whole plan per name).
    const rows = await db.all<{ i: number; n: number | null }>(
      sql`SELECT j.key AS i, max(CAST(substr(f.new_name_key, json_extract(j.value, '$[3]')) AS INTEGER)) AS n
        FROM json_each(${`[${page.join(",")}]`}) j CROSS JOIN organize_files f
          ON f.job_id = ${plan.jobId} AND f.new_folder = json_extract(j.value, '$[0]')
          AND f.new_name_key >= json_extract(j.value, '$[1]') AND f.new_name_key < json_extract(j.value, '$[2]')
          AND substr(f.new_name_key, -length(json_extract(j.value, '$[4]'))) = json_extract(j.value, '$[4]')
        GROUP BY j.key`,
    );
    for (const row of rows) for (const f of wanted.get(page[row.i]!) ?? []) result.set(f, Number(row.n ?? 0));
  }
  return result;
}

/** Which of `pairs` (folder, name key) are taken: by a live file (the source) or by this plan's records. */
async function takenNames(
  db: Db,
  source: FileSource,
  plan: OrganizePlan,
  pairs: [string, string][],
): Promise<Set<string>> {
  const pages: Promise<{ folder: string | null; nameKey: string | null }[]>[] = [];
  for (let i = 0; i < pairs.length; i += 1000) {
    const list = JSON.stringify(pairs.slice(i, i + 1000));
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
