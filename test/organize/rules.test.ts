import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { counts, uploadOk } from "../media/helpers";
import { allFiles, followUp, organize, seed, snapshot } from "./helpers";

const putRules = (user: TestUser, rules: unknown) =>
  call("/api/v1/organize/rules", { method: "PUT", token: user.accessToken, json: { rules } });

async function tagsOf(id: string): Promise<{ tags: string[]; indexed: string[] }> {
  const row = await env.DB.prepare("SELECT tags FROM media WHERE id = ?").bind(id).first<{ tags: string }>();
  const indexed = await env.DB.prepare("SELECT tag FROM media_tags WHERE media_id = ? ORDER BY tag")
    .bind(id)
    .all<{ tag: string }>();
  return { tags: JSON.parse(row!.tags) as string[], indexed: indexed.results.map((r) => r.tag) };
}

const file = (name: string, folder: string, extra: Record<string, unknown> = {}) => ({
  name,
  folder,
  mime: name.endsWith(".png") ? "image/png" : name.endsWith(".pdf") ? "application/pdf" : "text/plain",
  kind: name.endsWith(".png") ? "image" : "document",
  size: 1000,
  sha256: crypto.randomUUID().replace(/-/g, "").padEnd(64, "0"),
  createdAt: "2025-06-01T10:00:00.000Z",
  ...extra,
});

describe("organize rules", () => {
  it("GET gives the default set (one rule per category); PUT validates, normalizes and stores the order", async () => {
    const user = await newUser();
    const auth = { token: user.accessToken };
    const first = (await (await call("/api/v1/organize/rules", auth)).json()) as {
      rules: { id: string; name: string; filters: { categories: string[] }; action: { type: string } }[];
      isDefault: boolean;
    };
    expect(first.isDefault).toBe(true);
    expect(first.rules.map((r) => r.name)).toEqual([
      "Vector",
      "Images",
      "Spreadsheets",
      "Presentations",
      "Code",
      "Fonts",
      "Documents",
      "Audio",
      "Video",
      "Archives",
      "Other",
    ]);
    expect(first.rules[1]).toMatchObject({ filters: { categories: ["Images"] }, action: { type: "move" } });

    const bad = async (rule: unknown, code: string) =>
      expectProblem(
        await putRules(user, [{ name: "r", action: { type: "keep" }, ...(rule as object) }]),
        422,
        code,
      );
    await bad({ filters: { name: { regex: "(unclosed" } } }, "invalid_pattern");
    await bad({ filters: { name: { regex: "(a)\\1" } } }, "invalid_pattern"); // backreferences: not linear, not RE2
    await bad({ filters: { name: { glob: "[abc" } } }, "invalid_pattern");
    await bad({ filters: { name: { regex: "a".repeat(201) } } }, "validation_failed");
    await bad({ filters: { extensions: ["pdf"] } }, "invalid_extension");
    await bad({ filters: { types: ["not a type"] } }, "invalid_mime_type");
    await bad({ filters: { size: { min: 10, max: 5 } } }, "empty_range");
    await bad({ filters: { uploaded: { after: "2026-01-01", before: "2025-01-01" } } }, "empty_range");
    await bad({ action: { type: "move", template: "/{nope}" } }, "invalid_template");
    await bad({ action: { type: "tag" } }, "empty_action");
    await bad({ action: { type: "tag", tag: [] } }, "empty_action");
    await bad({ action: { type: "explode" } }, "validation_failed");
    await bad({ filters: { surprise: true } }, "validation_failed");
    await expectProblem(
      await putRules(user, [
        { id: "same", name: "a", action: { type: "keep" } },
        { id: "same", name: "b", action: { type: "keep" } },
      ]),
      422,
      "duplicate_rule_id",
    );

    const res = await putRules(user, [
      {
        name: "Invoices",
        filters: { extensions: [".PDF"], name: { glob: "invoice-*" }, tags: { any: ["Work "] } },
        action: { type: "move", template: "/Finance/{yyyy}", tag: ["Invoice"] },
      },
      { id: "keep-rest", name: "Leave the rest", enabled: false, action: { type: "keep" } },
    ]);
    expect(res.status, await res.clone().text()).toBe(200);
    const stored = (await (await call("/api/v1/organize/rules", auth)).json()) as {
      rules: Record<string, unknown>[];
      isDefault: boolean;
    };
    expect(stored.isDefault).toBe(false);
    expect(stored.rules).toHaveLength(2);
    expect(stored.rules[0]).toMatchObject({
      name: "Invoices",
      enabled: true,
      filters: { extensions: [".pdf"], tags: { any: ["work"] } },
      action: { type: "move", template: "/Finance/{yyyy}", tag: ["invoice"] },
    });
    expect(stored.rules[0]!.id).toMatch(/^rule_/);
    expect(stored.rules[1]).toMatchObject({ id: "keep-rest", enabled: false });
  });

  it("first match wins; the dry run simulates every action and apply does exactly that; rollback undoes it all", async () => {
    const user = await newUser();
    const keepTxt = await uploadOk(user, "keep me", "notes-keep.txt", { folder: "/inbox" });
    const copyTxt = await uploadOk(user, "copy me", "contract.txt", { folder: "/inbox", tags: "legal" });
    const trashTxt = await uploadOk(user, "junk", "tmp-junk.txt", { folder: "/inbox" });
    const tagTxt = await uploadOk(user, "tag me", "idea.txt", { folder: "/inbox", tags: "draft" });
    const moveTxt = await uploadOk(user, "move me", "report.txt", { folder: "/inbox" });
    // A name no backtracking regex engine survives; RE2 answers at once.
    const evil = await uploadOk(user, "evil", `${"a".repeat(200)}!.txt`, { folder: "/inbox" });
    const before = await snapshot(user.id);
    const quotaBefore = await counts(user.id);

    const rules = [
      {
        id: "evil",
        name: "Pathological",
        filters: { name: { regex: "^(a+)+$" } },
        action: { type: "trash" },
      },
      { id: "keep", name: "Keep notes", filters: { name: { glob: "notes-*" } }, action: { type: "keep" } },
      // Would also match notes-keep.txt, but the rule above won.
      {
        id: "txt-tag",
        name: "Drafts",
        filters: { tags: { all: ["draft"] } },
        action: { type: "tag", tag: ["idea"], untag: ["draft"] },
      },
      {
        id: "copy",
        name: "Contracts",
        filters: { tags: { any: ["legal"] } },
        action: { type: "copy", template: "/Backup/{tag}" },
      },
      { id: "trash", name: "Temp", filters: { name: { regex: "^tmp-" } }, action: { type: "trash" } },
      {
        id: "move",
        name: "Texts",
        filters: { extensions: [".txt"], size: { max: 100 } },
        action: { type: "move", template: "/Texts/{yyyy}", tag: ["sorted"] },
      },
    ];
    expect((await putRules(user, rules)).status).toBe(200);

    const plan = await organize(user, { dryRun: true });
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");
    expect(await snapshot(user.id)).toEqual(before); // a dry run changes nothing
    const byId = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    const year = new Date().getUTCFullYear();
    expect(byId.get(keepTxt.id)).toMatchObject({ rule: "keep", action: "none", status: "unchanged" });
    expect(byId.get(tagTxt.id)).toMatchObject({
      rule: "txt-tag",
      action: "tag",
      tags: ["idea"],
      newPath: null,
    });
    expect(byId.get(copyTxt.id)).toMatchObject({
      rule: "copy",
      action: "copy",
      newPath: "/Backup/legal/contract.txt",
    });
    expect(byId.get(trashTxt.id)).toMatchObject({ rule: "trash", action: "trash", status: "planned" });
    expect(byId.get(moveTxt.id)).toMatchObject({
      rule: "move",
      action: "move",
      newPath: `/Texts/${year}/report.txt`,
      tags: ["sorted"],
    });
    // `^(a+)+$` does not match "aaa…a!.txt" (the name has more), so the next rules decide.
    expect(byId.get(evil.id)).toMatchObject({ rule: "move", action: "move" });

    const applied = await followUp(user, plan.id, "apply");
    expect(applied.status, JSON.stringify(applied.error)).toBe("succeeded");
    expect(applied.result).toMatchObject({ statuses: { moved: 2, copied: 1, tagged: 1, trashed: 1 } });
    const after = await snapshot(user.id);
    expect(after.get(moveTxt.id)!.path).toBe(`/Texts/${year}/report.txt`);
    expect(after.get(trashTxt.id)!.trashed).toBe(true);
    expect(await tagsOf(tagTxt.id)).toEqual({ tags: ["idea"], indexed: ["idea"] });
    expect(await tagsOf(moveTxt.id)).toEqual({ tags: ["sorted"], indexed: ["sorted"] });
    const copyId = [...after.keys()].find((id) => !before.has(id))!;
    expect(after.get(copyId)).toMatchObject({ path: "/Backup/legal/contract.txt", sha256: copyTxt.sha256 });
    expect(await tagsOf(copyId)).toEqual({ tags: ["legal"], indexed: ["legal"] });
    const quotaAfter = await counts(user.id);
    expect(quotaAfter).toEqual({
      rows: quotaBefore.rows + 1,
      usedFiles: quotaBefore.usedFiles + 1,
      usedBytes: quotaBefore.usedBytes + copyTxt.size,
    });
    const blob = await env.DB.prepare("SELECT ref_count FROM blobs WHERE sha256 = ?")
      .bind(copyTxt.sha256)
      .first<{ ref_count: number }>();
    expect(blob!.ref_count).toBe(2);
    // The copy is searchable like any upload (FTS row from the insert trigger).
    const found = (await (await call(`/api/v1/media?q=contract`, { token: user.accessToken })).json()) as {
      items: unknown[];
    };
    expect(found.items).toHaveLength(2);

    const rolled = await followUp(user, plan.id, "rollback");
    expect(rolled.status, JSON.stringify(rolled.error)).toBe("succeeded");
    expect(await snapshot(user.id)).toEqual(before);
    expect(await tagsOf(tagTxt.id)).toEqual({ tags: ["draft"], indexed: ["draft"] });
    expect(await tagsOf(moveTxt.id)).toEqual({ tags: [], indexed: [] });
    expect(await counts(user.id)).toEqual(quotaBefore);
    const blobAfter = await env.DB.prepare("SELECT ref_count FROM blobs WHERE sha256 = ?")
      .bind(copyTxt.sha256)
      .first<{ ref_count: number }>();
    expect(blobAfter!.ref_count).toBe(1);
  });

  it("rollback leaves what changed since: a re-tagged file, a moved copy, a copy whose original is gone", async () => {
    const user = await newUser();
    const a = await uploadOk(user, "alpha", "a.txt", { folder: "/in" });
    const b = await uploadOk(user, "bravo", "b.txt", { folder: "/in" });
    await putRules(user, [
      { id: "tag-a", name: "A", filters: { name: { glob: "a.txt" } }, action: { type: "tag", tag: ["x"] } },
      {
        id: "copy-b",
        name: "B",
        filters: { name: { glob: "b.txt" } },
        action: { type: "copy", template: "/Copies" },
      },
    ]);
    const plan = await organize(user, {});
    expect(plan.result).toMatchObject({ statuses: { tagged: 1, copied: 1 } });
    const auth = { token: user.accessToken };
    // The user changes a's tags meanwhile, and purges b's original: the copy is the last reference.
    expect(
      (await call(`/api/v1/media/${a.id}`, { method: "PATCH", ...auth, json: { tags: ["x", "mine"] } }))
        .status,
    ).toBe(200);
    expect((await call(`/api/v1/media/${b.id}?purge=true`, { method: "DELETE", ...auth })).status).toBe(204);
    const rolled = await followUp(user, plan.id, "rollback");
    const files = await allFiles(user, plan.id);
    expect(files.find((f) => f.mediaId === a.id)).toMatchObject({
      status: "rollback-skipped",
      reason: "changed",
    });
    expect(files.find((f) => f.mediaId === b.id)).toMatchObject({
      status: "rollback-skipped",
      reason: "last-copy",
    });
    expect(rolled.result).toMatchObject({ statuses: { "rollback-skipped": 2 } });
    expect(await tagsOf(a.id)).toEqual({ tags: ["mine", "x"], indexed: ["mine", "x"] });
    const copies = (await (await call("/api/v1/media?folder=/Copies", auth)).json()) as {
      items: { sha256: string }[];
    };
    expect(copies.items.map((m) => m.sha256)).toEqual([b.sha256]);
  });

  it("filters: types, categories, size, upload date, folders, tags none, duplicate status; preview counts match the plan", async () => {
    const user = await newUser();
    const twin = "f".repeat(64);
    await seed(user.id, [
      file("big.pdf", "/docs", { size: 5_000_000 }),
      file("small.pdf", "/docs", { size: 10 }),
      file("old.txt", "/archive/2019", { createdAt: "2019-05-05T00:00:00.000Z" }),
      file("secret.txt", "/docs", { tags: ["private"] }),
      file("pic.png", "/docs"),
      file("twin-a.txt", "/docs", { sha256: twin, createdAt: "2024-01-01T00:00:00.000Z" }),
      file("twin-b.txt", "/docs/sub", { sha256: twin, createdAt: "2025-01-01T00:00:00.000Z" }),
    ]);
    const rules = [
      // A category that doesn't exist (yet) is accepted as given and matches nothing.
      { id: "ghost", name: "Ghost", filters: { categories: ["Nope"] }, action: { type: "trash" } },
      {
        id: "copies",
        name: "Copies",
        filters: { duplicate: "copy" },
        action: { type: "move", template: "/Dupes" },
      },
      {
        id: "images",
        name: "Images",
        filters: { types: ["image/*"] },
        action: { type: "move", template: "/Pictures" },
      },
      {
        id: "bigdocs",
        name: "Big docs",
        filters: { categories: ["documents"], size: { min: 1_000_000 } },
        action: { type: "move", template: "/Big" },
      },
      {
        id: "old",
        name: "Old",
        filters: { uploaded: { before: "2020-01-01" }, folders: ["/archive"] },
        action: { type: "tag", tag: ["old"] },
      },
      {
        id: "public",
        name: "Public",
        filters: { tags: { none: ["private"] }, extensions: [".txt", ".pdf"] },
        action: { type: "move", template: "/Public" },
      },
    ];
    const preview = await call("/api/v1/organize/rules/preview", {
      method: "POST",
      token: user.accessToken,
      json: { rules },
    });
    expect(preview.status, await preview.clone().text()).toBe(200);
    const counted = (await preview.json()) as {
      rules: { id: string; files: number }[];
      unmatched: { files: number };
      scanned: number;
      sampled: boolean;
    };
    expect(counted).toMatchObject({ scanned: 7, sampled: false, unmatched: { files: 1 } });
    const previewCounts = Object.fromEntries(counted.rules.map((r) => [r.id, r.files]));
    expect(previewCounts).toEqual({ ghost: 0, copies: 1, images: 1, bigdocs: 1, old: 1, public: 2 });

    expect((await putRules(user, rules)).status).toBe(200);
    const plan = await organize(user, { dryRun: true });
    const files = await allFiles(user, plan.id);
    const ruleOf = (name: string) => files.find((f) => f.originalPath.endsWith(`/${name}`))!.rule;
    expect(ruleOf("twin-b.txt")).toBe("copies");
    expect(ruleOf("twin-a.txt")).toBe("public"); // the original of the pair is not a copy
    expect(ruleOf("pic.png")).toBe("images");
    expect(ruleOf("big.pdf")).toBe("bigdocs");
    expect(ruleOf("small.pdf")).toBe("public");
    expect(ruleOf("old.txt")).toBe("old");
    expect(ruleOf("secret.txt")).toBeNull();
    const planCounts: Record<string, number> = { ghost: 0 };
    for (const f of files) if (f.rule) planCounts[f.rule] = (planCounts[f.rule] ?? 0) + 1;
    expect(planCounts).toEqual(previewCounts);
  });
});
