import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { csvField } from "../../src/lib/csv";
import { DEFAULT_TEMPLATE, joinPath, renderFolder, validateTemplate } from "../../src/organize/template";
import { refusal } from "./refusal";

const file = {
  category: "Images",
  createdAt: "2025-03-09T10:00:00Z",
  takenLocal: "2019-12-31T23:59:00",
  name: "Beach.JPG",
  tags: ["summer", "sea"],
};

describe("folder templates: validation", () => {
  it("keeps a valid template (trimmed) as stored", () => {
    expect(validateTemplate(" /Sorted/{category}/{yyyy}-{mm} ")).toBe("/Sorted/{category}/{yyyy}-{mm}");
    expect(validateTemplate("/{taken.yyyy}/{taken.mm}/{ext}/{tag}")).toBe(
      "/{taken.yyyy}/{taken.mm}/{ext}/{tag}",
    );
    expect(validateTemplate(DEFAULT_TEMPLATE)).toBe("/{category}");
  });

  it("a refusal names the field with the invalid_template code", () => {
    try {
      validateTemplate("/{nope}", "settings.template");
      throw new Error("expected a refusal");
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).extra.errors).toEqual([
        {
          path: "settings.template",
          code: "invalid_template",
          message:
            "Unknown placeholder {nope}; use {category} {yyyy} {mm} {ext} {tag} {taken.yyyy} {taken.mm}.",
        },
      ]);
    }
  });

  it("refuses a relative template, unknown placeholders, stray braces and invalid folders", () => {
    expect(refusal(() => validateTemplate("Sorted/{category}"))).toEqual({
      status: 422,
      code: "invalid_template",
      path: "template",
      detail: "A folder template starts with /.",
    });
    expect(refusal(() => validateTemplate("/{year}", "rules.0.action.template"))).toMatchObject({
      path: "rules.0.action.template",
      detail: "Unknown placeholder {year}; use {category} {yyyy} {mm} {ext} {tag} {taken.yyyy} {taken.mm}.",
    });
    // The dot of taken.yyyy is literal: {takenXyyyy} is not a placeholder.
    expect(refusal(() => validateTemplate("/{takenXyyyy}")).detail).toMatch(/Unknown placeholder/);
    expect(refusal(() => validateTemplate("/{category")).detail).toBe(
      "Unbalanced { or } in the folder template.",
    );
    expect(refusal(() => validateTemplate("/a}")).detail).toBe("Unbalanced { or } in the folder template.");
    expect(refusal(() => validateTemplate("/a/../b")).detail).toMatch(/\. or \.\./);
    expect(refusal(() => validateTemplate(`/${"{category}/".repeat(21)}`)).detail).toMatch(/20 deep/);
  });
});

describe("folder templates: rendering", () => {
  it("fills every placeholder from the file", () => {
    expect(renderFolder("/{category}/{yyyy}/{mm}/{ext}/{tag}", file)).toBe("/Images/2025/03/jpg/summer");
    expect(renderFolder("/{taken.yyyy}-{taken.mm}", file)).toBe("/2019-12");
  });

  it("falls back: upload date when not taken, placeholders for no extension and no tags", () => {
    const bare = { ...file, takenLocal: null, name: "README", tags: [] };
    expect(renderFolder("/{taken.yyyy}/{taken.mm}/{ext}/{tag}", bare)).toBe("/2025/03/no-extension/untagged");
  });

  it("makes values safe segments and falls back to /{category} when the path would be invalid", () => {
    expect(renderFolder("/{category}", { ...file, category: "a/b" })).toBe("/a-b");
    expect(renderFolder("/{tag}", { ...file, tags: [".."] })).toBe("/_");
    const deep = `/${Array.from({ length: 20 }, () => "x").join("/")}/{category}`;
    expect(renderFolder(deep, file)).toBe("/Images");
  });

  it("joins a folder and a name", () => {
    expect(joinPath("/", "a.png")).toBe("/a.png");
    expect(joinPath("/x/y", "a.png")).toBe("/x/y/a.png");
  });
});

describe("CSV fields", () => {
  it("quotes text (doubling quotes), leaves numbers bare, null empty", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(42)).toBe("42");
    expect(csvField(0)).toBe("0");
    expect(csvField("")).toBe('""');
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField("line\r\nbreak")).toBe('"line\r\nbreak"');
  });

  it("neutralizes a formula wherever a spreadsheet could start a cell", () => {
    expect(csvField("=SUM(A1)")).toBe(`"'=SUM(A1)"`);
    for (const lead of ["+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
      expect(csvField(`${lead}1`)).toBe(`"'${lead}1"`);
    expect(csvField("  =1")).toBe(`"  '=1"`);
    expect(csvField("a;=1,+2\t-3\r@4\n=5")).toBe(`"a;'=1,'+2\t'-3\r'@4\n'=5"`);
    // Not at a cell start: left alone.
    expect(csvField("a=1 b-2")).toBe('"a=1 b-2"');
    expect(csvField("x@example.com")).toBe('"x@example.com"');
  });
});
