import { describe, expect, it } from "vitest";
import { compileNamePattern, globToRe2, PatternError } from "../../src/organize/rules/pattern";

const glob = (g: string) => compileNamePattern({ glob: g });

describe("name patterns: globs", () => {
  it("* any run, ? one character, the rest literal, whole name, any case", () => {
    expect(glob("*.png").test("logo.PNG")).toBe(true);
    expect(glob("*.png").test("logo.png.txt")).toBe(false);
    expect(glob("a?c").test("abc")).toBe(true);
    expect(glob("a?c").test("ac")).toBe(false);
    expect(glob("a.c").test("abc")).toBe(false);
    expect(glob("(1)+").test("(1)+")).toBe(true);
    // A name with a line break is still one name.
    expect(glob("a*b").test("a\nb")).toBe(true);
  });

  it("classes, negated classes, ranges", () => {
    expect(glob("[abc].txt").test("b.txt")).toBe(true);
    expect(glob("[abc].txt").test("d.txt")).toBe(false);
    expect(glob("[!abc].txt").test("d.txt")).toBe(true);
    expect(glob("[^abc].txt").test("a.txt")).toBe(false);
    // The ! or ^ only negates; it is not itself a member.
    expect(glob("[!abc].txt").test("!.txt")).toBe(true);
    // Members are exactly the listed characters.
    expect(glob("[ab]").test("S")).toBe(false);
    expect(glob("[ab]").test("b")).toBe(true);
    expect(glob("img[0-9]").test("img7")).toBe(true);
    expect(glob("img[0-9]").test("imgx")).toBe(false);
    // ] right after [ is a member, and class specials are literal members.
    expect(glob("[]]").test("]")).toBe(true);
    expect(glob("[\\^]").test("^")).toBe(true);
    expect(glob("[\\^]").test("\\")).toBe(true);
  });

  it("alternatives in braces; a comma outside them is literal", () => {
    expect(glob("*.{jpg,jpeg}").test("a.jpeg")).toBe(true);
    expect(glob("*.{jpg,jpeg}").test("a.png")).toBe(false);
    expect(glob("a,b").test("a,b")).toBe(true);
    expect(glob("a}").test("a}")).toBe(true);
    expect(globToRe2("{a,b}")).toBe("(?:a|b)");
  });

  it("unclosed [ or { is a PatternError", () => {
    expect(() => globToRe2("[ab")).toThrow(new PatternError("unclosed [ in the glob"));
    expect(() => globToRe2("{a,b")).toThrow(new PatternError("unclosed { in the glob"));
    expect(() => glob("[ab")).toThrow(PatternError);
  });
});

describe("name patterns: RE2 regexes", () => {
  it("searches anywhere in the name, case-sensitive unless asked", () => {
    expect(compileNamePattern({ regex: "IMG_\\d+" }).test("x IMG_12 y")).toBe(true);
    expect(compileNamePattern({ regex: "IMG_\\d+" }).test("img_12")).toBe(false);
    expect(compileNamePattern({ regex: "IMG_\\d+", ignoreCase: true }).test("img_12")).toBe(true);
    expect(compileNamePattern({ regex: "IMG_\\d+", ignoreCase: false }).test("img_12")).toBe(false);
  });

  it("refuses what RE2 refuses (backreferences) as a PatternError with its reason", () => {
    let error: unknown;
    try {
      compileNamePattern({ regex: "(a)\\1" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatternError);
    expect((error as PatternError).message).not.toBe("");
  });

  it("stays linear on a pattern that backtracking engines stall on", () => {
    const m = compileNamePattern({ regex: "^(a+)+$" });
    expect(m.test(`${"a".repeat(5000)}!`)).toBe(false);
  });
});
