import { RE2JS } from "re2js";

/**
 * Name patterns of rules, matched by RE2 (re2js): its automata run in time linear in the name
 * whatever the pattern, so a pattern like `(a+)+$` can't stall a plan (no backtracking). Patterns
 * are capped at MAX_PATTERN_CHARS by the schema; RE2 also bounds a compiled program's size.
 */

export type NamePattern = { glob: string } | { regex: string; ignoreCase?: boolean };

export interface NameMatcher {
  test(name: string): boolean;
}

/** Compiles a pattern, or throws `PatternError` with RE2's reason. */
export function compileNamePattern(pattern: NamePattern): NameMatcher {
  try {
    if ("glob" in pattern) {
      const re = RE2JS.compile(`(?s)${globToRe2(pattern.glob)}`, RE2JS.CASE_INSENSITIVE);
      return { test: (name) => re.testExact(name) };
    }
    const re = RE2JS.compile(pattern.regex, pattern.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (name) => re.test(name) };
  } catch (error) {
    if (error instanceof PatternError) throw error;
    throw new PatternError(error instanceof Error ? error.message : String(error));
  }
}

export class PatternError extends Error {}

/** `*` any run, `?` one character, `[abc]` / `[!abc]` / `[a-z]` a class, `{a,b}` alternatives; the rest literal. */
export function globToRe2(glob: string): string {
  let out = "";
  let braces = 0;
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else if (c === "[") {
      const end = chars.indexOf("]", i + 2);
      if (end === -1) throw new PatternError("unclosed [ in the glob");
      let body = chars.slice(i + 1, end);
      const negate = body[0] === "!" || body[0] === "^";
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.map((b) => (b === "-" ? "-" : escapeClassChar(b))).join("")}]`;
      i = end;
    } else out += RE2JS.quote(c);
  }
  if (braces > 0) throw new PatternError("unclosed { in the glob");
  return out;
}

const escapeClassChar = (c: string) => (/[\\\]^[]/.test(c) ? `\\${c}` : c);
