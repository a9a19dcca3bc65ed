import { extensionOf } from "../../media/sniff";
import { type Rule as Category, mimeMatches } from "../categories";
import { isUnder } from "../protect";
import { compileNamePattern } from "./pattern";
import type { DuplicateStatus, OrganizeRule, RuleFilters } from "./types";

/** What a rule can look at: the file's row, its category, and its duplicate status in the plan. */
export interface RuleFile {
  name: string;
  folder: string;
  mime: string;
  size: number;
  createdAt: string;
  takenAt: string | null;
  tags: string[];
  category: string;
  duplicate: DuplicateStatus;
}

export type RuleMatcher = (file: RuleFile) => OrganizeRule | null;

/** The first enabled rule whose every filter holds (filters absent = any file), or null. */
export function compileRules(rules: readonly OrganizeRule[]): RuleMatcher {
  const compiled = rules
    .filter((r) => r.enabled)
    .map((rule) => ({ rule, test: compileFilters(rule.filters) }));
  return (file) => compiled.find((c) => c.test(file))?.rule ?? null;
}

function compileFilters(f: RuleFilters): (file: RuleFile) => boolean {
  const tests: ((file: RuleFile) => boolean)[] = [];
  if (f.extensions) {
    const wanted = new Set(f.extensions);
    tests.push((file) => {
      const ext = extensionOf(file.name);
      return ext !== "" && wanted.has(`.${ext}`);
    });
  }
  if (f.types) {
    const patterns = f.types;
    tests.push((file) => patterns.some((p) => mimeMatches(p, file.mime)));
  }
  if (f.categories) {
    const names = new Set(f.categories.map((c) => c.toLowerCase()));
    tests.push((file) => names.has(file.category.toLowerCase()));
  }
  if (f.name) {
    const matcher = compileNamePattern(f.name);
    tests.push((file) => matcher.test(file.name));
  }
  if (f.size) {
    const { min = 0, max = Number.POSITIVE_INFINITY } = f.size;
    tests.push((file) => file.size >= min && file.size <= max);
  }
  if (f.uploaded) tests.push(inRange(f.uploaded, (file) => file.createdAt));
  if (f.taken) tests.push(inRange(f.taken, (file) => file.takenAt));
  if (f.tags) {
    const { all = [], any = [], none = [] } = f.tags;
    tests.push(
      (file) =>
        all.every((t) => file.tags.includes(t)) &&
        (any.length === 0 || any.some((t) => file.tags.includes(t))) &&
        !none.some((t) => file.tags.includes(t)),
    );
  }
  if (f.folders) {
    const roots = f.folders;
    tests.push((file) => roots.some((root) => isUnder(file.folder, root)));
  }
  if (f.duplicate) {
    const wanted = f.duplicate;
    tests.push((file) => (wanted === "any" ? file.duplicate !== "unique" : file.duplicate === wanted));
  }
  return (file) => tests.every((t) => t(file));
}

/** ISO-8601 UTC strings compare as times; a file without the time (no date taken) never matches. */
function inRange(range: { after?: string; before?: string }, value: (file: RuleFile) => string | null) {
  return (file: RuleFile) => {
    const v = value(file);
    if (v === null) return false;
    return (
      (range.after === undefined || v >= range.after) && (range.before === undefined || v < range.before)
    );
  };
}

/**
 * The default rule set: one rule per category (yours by priority, then the built-ins), each moving
 * its files to the category's folder or the template — what the organizer did before rules.
 */
export function defaultRules(categories: readonly Category[]): OrganizeRule[] {
  return categories.map((c) => ({
    id: c.id,
    name: c.name,
    enabled: true,
    filters: { categories: [c.name] },
    action: { type: "move" },
  }));
}
