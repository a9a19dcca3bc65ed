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
  if (f.extensions?.length) out.extensions = normalizeExtensions(f.extensions, `${at}.extensions`);
  if (f.types?.length) out.types = normalizeMimePatterns(f.types, `${at}.types`);
  if (f.categories?.length) out.categories = [...new Set(f.categories.map((c) => c.trim()))];
  if (f.name) {
    try {
      compileNamePattern(f.name);
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      throw invalid(`${at}.name`, `The name pattern is not valid: ${error.message}`, "invalid_pattern");
    }
    out.name = f.name;
  }
  if (f.size) {
    if (f.size.min !== undefined && f.size.max !== undefined && f.size.min > f.size.max)
      throw invalid(`${at}.size`, "The size range is empty (min > max).", "empty_range");
    out.size = f.size;
  }
  for (const key of ["uploaded", "taken"] as const) {
    const r = f[key];
    if (!r) continue;
    if (r.after !== undefined && r.before !== undefined && r.after >= r.before)
      throw invalid(`${at}.${key}`, `The ${key} range is empty (after ≥ before).`, "empty_range");
    out[key] = r;
  }
  if (f.tags) {
    const tags: NonNullable<RuleFilters["tags"]> = {};
    for (const key of ["all", "any", "none"] as const) {
      const list = f.tags[key];
      if (list?.length) tags[key] = normalizeTags(list, `${at}.tags.${key}`);
    }
    out.tags = tags;
  }
  if (f.folders?.length)
    out.folders = [...new Set(f.folders.map((d, i) => normalizeFolder(d, `${at}.folders.${i}`)))];
  if (f.duplicate) out.duplicate = f.duplicate;
  return out;
}

function normalizeAction(a: RuleAction, at: string): RuleAction {
  switch (a.type) {
    case "move":
    case "tag": {
      const tag = a.tag?.length ? normalizeTags(a.tag, `${at}.tag`) : undefined;
      const untag = a.untag?.length ? normalizeTags(a.untag, `${at}.untag`) : undefined;
      if (a.type === "tag" && !tag && !untag)
        throw invalid(at, "A tag action needs tags to add (tag) or remove (untag).", "empty_action");
      const tags = { ...(tag ? { tag } : {}), ...(untag ? { untag } : {}) };
      if (a.type === "tag") return { type: "tag", ...tags };
      return {
        type: "move",
        ...(a.template !== undefined ? { template: validateTemplate(a.template, `${at}.template`) } : {}),
        ...tags,
      };
    }
    case "copy":
      return {
        type: "copy",
        ...(a.template !== undefined ? { template: validateTemplate(a.template, `${at}.template`) } : {}),
      };
    default:
      return { type: a.type };
  }
}
