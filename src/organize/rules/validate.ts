import { ApiError } from "../../errors";
import { newId } from "../../lib/ids";
import { normalizeFolder, normalizeTags } from "../../media/names";
import { normalizeExtensions, normalizeMimePatterns } from "../categories";
import { validateTemplate } from "../template";
import { compileNamePattern, PatternError } from "./pattern";
import { MAX_RULES, type OrganizeRule, type RuleAction, type RuleFilters, type RuleInput } from "./types";

const invalid = (path: string, message: string, code = "invalid_rule") =>
  new ApiError(422, code, message, { errors: [{ path, message, code }] });

/**
 * Checks and normalizes a rule list as `PUT /organize/rules` stores it: ids unique (made up when
 * absent), tags and folders in their stored form, templates and name patterns valid, ranges not
 * empty. Category names are kept as given (a category made later may match; matching ignores case).
 */
export function validateRules(input: RuleInput[]): OrganizeRule[] {
  if (input.length > MAX_RULES) throw invalid("rules", `At most ${MAX_RULES} rules.`);
  const ids = new Set<string>();
  return input.map((rule, i) => {
    const at = `rules.${i}`;
    const id = rule.id ?? newId("rule");
    if (ids.has(id)) throw invalid(`${at}.id`, `Two rules have the id "${id}".`, "duplicate_rule_id");
    ids.add(id);
    return {
      id,
      name: rule.name.trim(),
      enabled: rule.enabled ?? true,
      filters: normalizeFilters(rule.filters ?? {}, `${at}.filters`),
      action: normalizeAction(rule.action, `${at}.action`),
    };
  });
}

function normalizeFilters(f: RuleFilters, at: string): RuleFilters {
  const out: RuleFilters = {};
  for (const key of FILTER_KEYS) normalizeFilter(f, out, key, `${at}.${key}`);
  return out;
}

type Filters = Required<RuleFilters>;

/**
 * How each filter is checked and put in its stored form; `undefined` leaves it out (an empty
 * list). A filter given as `undefined`, `null` or an empty string never reaches its function.
 */
const FILTERS: { [K in keyof Filters]: (value: Filters[K], at: string) => Filters[K] | undefined } = {
  extensions: (list, at) => (list.length ? normalizeExtensions(list, at) : undefined),
  types: (list, at) => (list.length ? normalizeMimePatterns(list, at) : undefined),
  categories: (list) => (list.length ? [...new Set(list.map((c) => c.trim()))] : undefined),
  name: checkNamePattern,
  size: checkSizeRange,
  uploaded: checkDateRange("uploaded"),
  taken: checkDateRange("taken"),
  tags: normalizeTagFilter,
  folders: (list, at) =>
    list.length ? [...new Set(list.map((d, i) => normalizeFolder(d, `${at}.${i}`)))] : undefined,
  duplicate: (status) => status,
};

/** The order filters are checked in, which decides which error a rule with several bad filters gets. */
const FILTER_KEYS = Object.keys(FILTERS) as (keyof Filters)[];

function normalizeFilter<K extends keyof Filters>(f: Partial<Filters>, out: RuleFilters, key: K, at: string) {
  const value = f[key];
  if (!value) return;
  const normalized = FILTERS[key](value, at);
  if (normalized !== undefined) out[key] = normalized;
}

function checkNamePattern(pattern: Filters["name"], at: string): Filters["name"] {
  try {
    compileNamePattern(pattern);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    throw invalid(at, `The name pattern is not valid: ${error.message}`, "invalid_pattern");
  }
  return pattern;
}

function checkSizeRange(size: Filters["size"], at: string): Filters["size"] {
  if (size.min !== undefined && size.max !== undefined && size.min > size.max)
    throw invalid(at, "The size range is empty (min > max).", "empty_range");
  return size;
}

function checkDateRange(key: "uploaded" | "taken") {
  return (range: Filters[typeof key], at: string): Filters[typeof key] => {
    if (range.after !== undefined && range.before !== undefined && range.after >= range.before)
      throw invalid(at, `The ${key} range is empty (after ≥ before).`, "empty_range");
    return range;
  };
}

/** Every non-empty tag list normalized; the filter stays (maybe empty) when given at all. */
function normalizeTagFilter(filter: Filters["tags"], at: string): Filters["tags"] {
  const tags: Filters["tags"] = {};
  for (const key of ["all", "any", "none"] as const) {
    const list = filter[key];
    if (list?.length) tags[key] = normalizeTags(list, `${at}.${key}`);
  }
  return tags;
}

function normalizeAction(a: RuleAction, at: string): RuleAction {
  switch (a.type) {
    case "tag": {
      const tags = normalizeTagChanges(a, at);
      if (!tags.tag && !tags.untag)
        throw invalid(at, "A tag action needs tags to add (tag) or remove (untag).", "empty_action");
      return { type: "tag", ...tags };
    }
    case "move": {
      const tags = normalizeTagChanges(a, at);
      return { type: "move", ...checkTemplate(a, at), ...tags };
    }
    case "copy":
      return { type: "copy", ...checkTemplate(a, at) };
    default:
      return { type: a.type };
  }
}

/** The action's tags to add and to remove, each left out when empty. */
function normalizeTagChanges(a: { tag?: string[]; untag?: string[] }, at: string) {
  return {
    ...(a.tag?.length ? { tag: normalizeTags(a.tag, `${at}.tag`) } : {}),
    ...(a.untag?.length ? { untag: normalizeTags(a.untag, `${at}.untag`) } : {}),
  };
}

function checkTemplate(a: { template?: string }, at: string) {
  return a.template !== undefined ? { template: validateTemplate(a.template, `${at}.template`) } : {};
}
