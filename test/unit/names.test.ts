import { describe, expect, it } from "vitest";
import {
  contentDisposition,
  FILE_NAME_PATTERN,
  folderSegment,
  hasBidiControl,
  MAX_DEPTH,
  MAX_NAME_CHARS,
  MAX_TAGS,
  nameVariant,
  normalizeFileName,
  normalizeFolder,
  normalizeTags,
  SUBFOLDER_PATTERN,
  variantReadings,
} from "../../src/media/names";
import { refusal } from "./refusal";

describe("file names", () => {
  it("folds white space and drops controls and invisible characters, NFC", () => {
    expect(normalizeFileName("  a\tb\nc  d.png ")).toBe("a b c d.png");
    expect(normalizeFileName("x\u0007y\u200bz.png")).toBe("xyz.png");
    expect(normalizeFileName("e\u0301.txt")).toBe("\u00e9.txt");
    expect(normalizeFileName(".env")).toBe(".env");
  });

  it("refuses paths, NUL, bidi overrides, empty and dot-only names, naming the field", () => {
    expect(refusal(() => normalizeFileName("a/b.png"))).toMatchObject({
      code: "invalid_file_name",
      path: "name",
    });
    expect(refusal(() => normalizeFileName("a\\b.png", "file")).path).toBe("file");
    expect(refusal(() => normalizeFileName(" .. ")).detail).toMatch(/path/);
    expect(refusal(() => normalizeFileName(".")).detail).toMatch(/path/);
    expect(refusal(() => normalizeFileName("a\u0000.png")).detail).toMatch(/NUL/);
    expect(refusal(() => normalizeFileName("a\u202egnp.exe")).detail).toMatch(/bidirectional/);
    expect(refusal(() => normalizeFileName(" \u200b ")).detail).toBe("The file name is empty.");
    expect(refusal(() => normalizeFileName("...")).detail).toBe("The file name is empty.");
    expect(refusal(() => normalizeFileName("\u0001")).detail).toBe("The file name is empty.");
  });

  it("refuses more than 1024 bytes as sent, counting UTF-8 bytes", () => {
    expect(() => normalizeFileName("é".repeat(512))).not.toThrow();
    expect(refusal(() => normalizeFileName("é".repeat(513))).detail).toMatch(/1024 bytes/);
  });

  it("caps at 255 characters keeping a short extension, counted in code points", () => {
    const long = `${"a".repeat(300)}.png`;
    const capped = normalizeFileName(long);
    expect([...capped]).toHaveLength(MAX_NAME_CHARS);
    expect(capped.endsWith("a.png")).toBe(true);
    const emoji = normalizeFileName(`${"😀".repeat(256)}`);
    expect([...emoji]).toHaveLength(MAX_NAME_CHARS);
    expect(normalizeFileName("😀".repeat(255))).toBe("😀".repeat(255));
    // An "extension" longer than 15 characters is not kept.
    const noExt = normalizeFileName(`${"b".repeat(300)}.${"c".repeat(16)}`);
    expect(noExt).toBe("b".repeat(255));
    // Trailing spaces left by the cut are trimmed before the extension.
    expect(normalizeFileName(`${"d".repeat(250)}    ${"e".repeat(10)}.jpg`)).toBe(`${"d".repeat(250)}.jpg`);
  });
});

describe("folder segments", () => {
  it("turns any text into one valid segment", () => {
    expect(folderSegment(" Photos/2024\\raw ")).toBe("Photos-2024-raw");
    expect(folderSegment("a\u0007\u200b\u202eb")).toBe("ab");
    expect(folderSegment("..")).toBe("_");
    expect(folderSegment(" ")).toBe("_");
    expect(folderSegment("x".repeat(150))).toBe("x".repeat(100));
    expect(folderSegment(`${"y".repeat(99)} z`)).toBe("y".repeat(99));
    expect(() => normalizeFolder(`/${folderSegment("😀".repeat(300))}`)).not.toThrow();
  });
});

describe("folders", () => {
  it("normalizes separators, blanks and NFC; / is the root", () => {
    expect(normalizeFolder("projects/logo")).toBe("/projects/logo");
    expect(normalizeFolder("//projects// logo /")).toBe("/projects/logo");
    expect(normalizeFolder("/\u200b/a")).toBe("/a");
    expect(normalizeFolder("/")).toBe("/");
    expect(normalizeFolder("")).toBe("/");
    expect(normalizeFolder("/e\u0301")).toBe("/\u00e9");
  });

  it("refuses controls, bidi, backslashes, dot segments, depth and length, with invalid_folder", () => {
    for (const bad of ["/a\u0000", "/a\u202e", "/a\\b", "/a\u0085"])
      expect(refusal(() => normalizeFolder(bad))).toMatchObject({
        status: 422,
        code: "invalid_folder",
        path: "folder",
      });
    expect(refusal(() => normalizeFolder("/a/../b", "to")).path).toBe("to");
    expect(refusal(() => normalizeFolder("/a/ . /b")).detail).toMatch(/\. or \.\./);
    const deep = `/${Array.from({ length: MAX_DEPTH }, () => "d").join("/")}`;
    expect(normalizeFolder(deep)).toBe(deep);
    expect(refusal(() => normalizeFolder(`${deep}/e`)).detail).toMatch(/20 deep/);
    expect(normalizeFolder(`/${"s".repeat(100)}`)).toHaveLength(101);
    expect(refusal(() => normalizeFolder(`/${"s".repeat(101)}`)).detail).toMatch(/longer than 100/);
    expect(refusal(() => normalizeFolder(`/${"a/".repeat(600)}`)).detail).toMatch(/too long/);
    const longest = `/${`${"x".repeat(99)}/`.repeat(10)}${"y".repeat(23)}`;
    expect(longest).toHaveLength(1024);
    expect(normalizeFolder(longest)).toBe(longest);
    expect(refusal(() => normalizeFolder(`${longest}y`)).detail).toMatch(/too long/);
  });
});

describe("tags", () => {
  it("lower-case, NFC, trimmed, de-duplicated and sorted, from a list or a comma string", () => {
    expect(normalizeTags(" Sky, sea ,SKY,,\u200b")).toEqual(["sea", "sky"]);
    expect(normalizeTags(["B", "a", "b"])).toEqual(["a", "b"]);
    expect(normalizeTags(["Cafe\u0301"])).toEqual(["caf\u00e9"]);
    expect(normalizeTags([])).toEqual([]);
  });

  it("refuses bidi, long tags (counted as sent) and more than 50", () => {
    expect(refusal(() => normalizeTags(["a\u202eb"]))).toMatchObject({
      status: 422,
      code: "invalid_tag",
      path: "tags",
    });
    expect(normalizeTags(["t".repeat(50)])).toEqual(["t".repeat(50)]);
    expect(refusal(() => normalizeTags(["t".repeat(51)], "add")).path).toBe("add");
    const many = Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`);
    expect(normalizeTags(many)).toHaveLength(MAX_TAGS);
    expect(refusal(() => normalizeTags([...many, "one-more"])).detail).toMatch(/At most 50/);
    // Duplicates count once.
    expect(normalizeTags([...many, "T0"])).toHaveLength(MAX_TAGS);
  });
});

describe("content disposition", () => {
  it("gives an ASCII fallback with no path and the exact name in filename*", () => {
    expect(contentDisposition("attachment", "report.pdf")).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(contentDisposition("inline", "été (1)'*.png")).toBe(
      `inline; filename="ete (1)'*.png"; filename*=UTF-8''%C3%A9t%C3%A9%20%281%29%27%2A.png`,
    );
    // Full-width dots and slash fold to ../ under NFKD: the separators go, leading dots go.
    expect(contentDisposition("attachment", "\u2025\uff0fetc")).toMatch(/^attachment; filename="_etc";/);
    expect(contentDisposition("attachment", 'a"b;c%d\\e')).toMatch(/filename="a_b_c_d_e"/);
    expect(contentDisposition("attachment", "日本")).toMatch(/filename="download"/);
    expect(contentDisposition("attachment", " x ")).toMatch(/filename="x"/);
  });
});

describe("name variants", () => {
  it("puts the number before the extension, or at the end", () => {
    expect(nameVariant("report.pdf", 2)).toBe("report (2).pdf");
    expect(nameVariant("archive.tar.gz", 1)).toBe("archive.tar (1).gz");
    expect(nameVariant("README", 3)).toBe("README (3)");
    expect(nameVariant(".env", 1)).toBe(".env (1)");
  });

  it("reads a name back as every base it is a numbered copy of", () => {
    for (const base of ["report.pdf", "archive.tar.gz", "readme", ".env", "a (2).png"])
      expect(variantReadings(nameVariant(base, 12))).toContainEqual([base, 12]);
    expect(variantReadings("a (2) (3).jpg")).toEqual([
      ["a.jpg", 2],
      ["a (2).jpg", 3],
    ]);
    expect(variantReadings("a (7x).jpg")).toEqual([["a.jpg", 7]]);
    expect(variantReadings("a (007)")).toEqual([["a", 7]]);
    // Not where nameVariant puts the number, below (2), or no number at all.
    for (const key of [
      "x (2).tar.gz",
      "a.b (2)",
      " (2).jpg",
      "a (1).jpg",
      "a (0)",
      "a ().jpg",
      "a (x2).jpg",
      "a.jpg",
      "a (2",
    ])
      expect(variantReadings(key)).toEqual([]);
  });
});

describe("names: the edges the normalizers must keep", () => {
  it("file names: a V is a letter, a trailing dot is a name, a 15-letter extension is kept", () => {
    expect(normalizeFileName("IMG V.png")).toBe("IMG V.png");
    expect(normalizeFileName("a\u000bb")).toBe("a b");
    expect(normalizeFileName("a.")).toBe("a.");
    const capped = normalizeFileName(`${"b".repeat(300)}.${"c".repeat(15)}`);
    expect(capped).toBe(`${"b".repeat(239)}.${"c".repeat(15)}`);
  });

  it("folder segments: NFC, and only all-dot segments become _", () => {
    expect(folderSegment("e\u0301")).toBe("\u00e9");
    expect(folderSegment("a.")).toBe("a.");
    expect(folderSegment(".a")).toBe(".a");
  });

  it("every folder refusal says what is wrong, as invalid_folder", () => {
    const deep = `/${Array.from({ length: MAX_DEPTH + 1 }, () => "d").join("/")}`;
    const cases: [string, string][] = [
      ["/".padEnd(1025, "b"), "The folder path is too long."],
      ["/a\\b", "The folder path contains control, bidi or backslash characters."],
      ["/a/../b", "Folder paths can't contain . or .. segments."],
      [deep, "Folders nest at most 20 deep."],
      [`/${"s".repeat(101)}`, "A folder name is longer than 100 characters."],
    ];
    for (const [raw, detail] of cases)
      expect(refusal(() => normalizeFolder(raw))).toEqual({
        status: 422,
        code: "invalid_folder",
        path: "folder",
        detail,
      });
  });

  it("every tag refusal says what is wrong, as invalid_tag; invisible characters inside a tag go", () => {
    expect(normalizeTags(["a\u200bb"])).toEqual(["ab"]);
    const cases: [string[], string][] = [
      [["a\u202eb"], "A tag contains bidirectional override characters."],
      [["t".repeat(51)], "Tags are at most 50 characters."],
      [Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`), "At most 50 tags per file."],
    ];
    for (const [raw, detail] of cases)
      expect(refusal(() => normalizeTags(raw))).toEqual({
        status: 422,
        code: "invalid_tag",
        path: "tags",
        detail,
      });
  });

  it("bidi detection and the schema patterns agree with the normalizers", () => {
    expect(hasBidiControl("a\u202eb")).toBe(true);
    expect(hasBidiControl("ab")).toBe(false);
    const file = new RegExp(FILE_NAME_PATTERN);
    expect(file.test("a.png")).toBe(true);
    for (const bad of ["a/b", "a\\b", ".", "..", " ", "a\u0000", "a\u202e"])
      expect(file.test(bad), bad).toBe(false);
    const sub = new RegExp(SUBFOLDER_PATTERN);
    expect(sub.test("/a")).toBe(true);
    expect(sub.test("/")).toBe(false);
    expect(sub.test("/a/../b")).toBe(false);
  });
});
