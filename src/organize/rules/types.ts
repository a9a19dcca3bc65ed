/**
 * A user's organize rules: an ordered list, first match wins (the API's schema is in
 * src/routes/organize/rules.schemas.ts; validate.ts normalizes, match.ts compiles).
 */

export const MAX_RULES = 100;
export const MAX_PATTERN_CHARS = 200;
export const MAX_LIST = 50;

export type DuplicateStatus = "unique" | "original" | "copy";

export interface RuleFilters {
  extensions?: string[];
  types?: string[];
  categories?: string[];
  name?: { glob: string } | { regex: string; ignoreCase?: boolean };
  size?: { min?: number; max?: number };
  uploaded?: { after?: string; before?: string };
  taken?: { after?: string; before?: string };
  tags?: { all?: string[]; any?: string[]; none?: string[] };
  folders?: string[];
  duplicate?: DuplicateStatus | "any";
}

export type RuleAction =
  | { type: "move"; template?: string; tag?: string[]; untag?: string[] }
  | { type: "copy"; template?: string }
  | { type: "tag"; tag?: string[]; untag?: string[] }
  | { type: "trash" }
  | { type: "keep" };

export interface RuleInput {
  id?: string;
  name: string;
  enabled?: boolean;
  filters?: RuleFilters;
  action: RuleAction;
}

/** A rule as stored and snapshotted into plans: normalized, with its id and `enabled`. */
export interface OrganizeRule {
  id: string;
  name: string;
  enabled: boolean;
  filters: RuleFilters;
  action: RuleAction;
}
