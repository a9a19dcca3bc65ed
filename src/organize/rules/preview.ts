import { and, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { inList } from "../../db/in-list";
import { media } from "../../db/schema";
import { normalizeFolder } from "../../media/names";
import { categorize, loadRules as loadCategories } from "../categories";
import { isProtected } from "../protect";
import { getRules, getSettings } from "../settings";
import { librarySource, scopeCondition } from "../sources/library";
import { compileRules } from "./match";
import type { DuplicateStatus, RuleInput } from "./types";
import { validateRules } from "./validate";

/** Files a preview evaluates: one request's worth of work, whatever the library's size. */
export const PREVIEW_FILES = 2000;

/**
 * Live counts for the rules editor: how many of (up to) PREVIEW_FILES files of `folder` each rule
 * takes — first match wins — and how many of those a protected folder keeps. Duplicate status is by
 * identical bytes with the oldest kept (one grouped query for the sample); a dry run is exact.
 */
export async function previewRules(
  db: Db,
  userId: string,
  request: { rules?: RuleInput[]; folder?: string },
) {
  const [categories, settings] = await Promise.all([loadCategories(db, userId), getSettings(db, userId)]);
  const rules = request.rules ? validateRules(request.rules) : (await getRules(db, userId)).rules;
  const scope = {
    jobId: "",
    ownerId: userId,
    folder: normalizeFolder(request.folder ?? "/"),
    mediaIds: null,
    match: "bytes" as const,
  };
  const source = librarySource(db, scope, null);
  const [files, measured] = await Promise.all([source.page(null, PREVIEW_FILES), source.measure()]);
  const twins = files.length
    ? await db
        .select({ sha256: media.sha256, first: sql<string>`min(${media.createdAt} || ${media.id})` })
        .from(media)
        .where(and(scopeCondition(scope), inList(media.sha256, [...new Set(files.map((f) => f.sha256))])))
        .groupBy(media.sha256)
        .having(sql`count(*) > 1`)
        .all()
    : [];
  const firstOf = new Map(twins.map((t) => [t.sha256, t.first]));
  const match = compileRules(rules);
  const counts = new Map(rules.map((r) => [r.id, { files: 0, bytes: 0, protected: 0 }]));
  const unmatched = { files: 0, bytes: 0 };
  for (const f of files) {
    const first = firstOf.get(f.sha256);
    const duplicate: DuplicateStatus =
      first === undefined ? "unique" : first === f.createdAt + f.id ? "original" : "copy";
    const rule = match({ ...f, category: categorize(categories, f).name, duplicate });
    const count = rule ? counts.get(rule.id)! : unmatched;
    count.files++;
    count.bytes += f.size;
    if (rule && rule.action.type !== "keep" && isProtected(f.folder, settings.protectedFolders))
      counts.get(rule.id)!.protected++;
  }
  return {
    scanned: files.length,
    total: measured.files,
    sampled: files.length < measured.files,
    rules: rules.map((r) => ({ id: r.id, name: r.name, ...counts.get(r.id)! })),
    unmatched,
  };
}
