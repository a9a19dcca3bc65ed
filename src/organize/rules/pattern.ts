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
    if (c === "[") {
      const end = chars.indexOf("]", i + 2);
      if (end === -1) throw new PatternError("unclosed [ in the glob");
      out += globClass(chars.slice(i + 1, end));
      i = end;
      continue;
    }
    const token = GLOB_TOKENS.get(c);
    if (token && (braces > 0 || !token.inBracesOnly)) {
      out += token.re;
      braces += token.depth;
    } else out += RE2JS.quote(c);
  }
  if (braces > 0) throw new PatternError("unclosed { in the glob");
  return out;
}

/** The glob's special characters (but `[`) and how they change the brace depth; `}` and `,` are literal outside braces. */
const GLOB_TOKENS = new Map<string, { re: string; depth: number; inBracesOnly?: true }>([
  ["*", { re: ".*", depth: 0 }],
  ["?", { re: ".", depth: 0 }],
  ["{", { re: "(?:", depth: 1 }],
  ["}", { re: ")", depth: -1, inBracesOnly: true }],
  [",", { re: "|", depth: 0, inBracesOnly: true }],
]);

/** A class from the members between `[` and `]`: a leading `!` or `^` negates, `-` keeps making ranges. */
function globClass(members: string[]): string {
  const negate = members[0] === "!" || members[0] === "^";
  const listed = negate ? members.slice(1) : members;
  return `[${negate ? "^" : ""}${listed.map(escapeClassChar).join("")}]`;
}

/** Escapes the characters special inside an RE2 class (`-` is not among them: ranges stay ranges). */
const escapeClassChar = (c: string) => (/[\\\]^[]/.test(c) ? `\\${c}` : c);
