import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { allFiles, organize, post, seed } from "./helpers";

describe("organize: where files go (categories, templates, name conflicts)", () => {
  it("custom categories and templates decide where files go", async () => {
    const user = await newUser();
    const auth = { token: user.accessToken };
    const mk = (json: unknown) => call("/api/v1/categories", { method: "POST", ...auth, json });
    const design = await mk({
      name: "Design",
      extensions: [".psd", ".sketch"],
      folder: "/Design/{yyyy}",
      priority: 200,
    });
    expect(design.status, await design.clone().text()).toBe(201);
    const screens = await mk({
      name: "Screens",
      extensions: [".png"],
      mimeTypes: ["image/png"],
      priority: 150,
    });
    expect(screens.status).toBe(201);
    await expectProblem(await mk({ name: "Bad", extensions: ["pdf"] }), 422, "invalid_extension");
    await expectProblem(
      await mk({ name: "Bad", extensions: [".x"], folder: "/{nope}" }),
      422,
      "invalid_template",
    );
    await expectProblem(
      await mk({ name: "Bad", extensions: [".x"], mimeTypes: ["not a mime"] }),
      422,
      "invalid_mime_type",
    );
    await expectProblem(
      await mk({ name: "Twin", extensions: [".psd"], priority: 200 }),
      409,
      "duplicate_extension",
    );
    expect((await mk({ name: "Twin", extensions: [".psd"], priority: 10 })).status).toBe(201);
    await expectProblem(await mk({ name: "design", extensions: [".q"] }), 409, "category_exists");
    await expectProblem(await mk({ name: "Images", extensions: [".q"] }), 409, "category_exists");
    await expectProblem(await mk({ name: "X", extensions: [".q"], surprise: 1 }), 422, "validation_failed");

    const list = (await (await call("/api/v1/categories", auth)).json()) as {
      items: { name: string; builtIn: boolean }[];
    };
    expect(list.items.slice(0, 3).map((c) => c.name)).toEqual(["Design", "Screens", "Twin"]);
    expect(list.items.filter((c) => c.builtIn).map((c) => c.name)).toContain("Spreadsheets");

    await seed(user.id, [
      {
        name: "poster.psd",
        folder: "/",
        mime: "application/octet-stream",
        kind: "other",
        size: 10,
        sha256: "a".repeat(64),
        createdAt: "2025-03-04T00:00:00.000Z",
      },
      {
        name: "screen.png",
        folder: "/",
        mime: "image/png",
        kind: "image",
        size: 11,
        sha256: "b".repeat(64),
        createdAt: "2025-03-04T00:00:00.000Z",
      },
      // A .pdf whose bytes are a JPEG is categorized by its bytes.
      {
        name: "liar.pdf",
        folder: "/",
        mime: "image/jpeg",
        kind: "image",
        size: 12,
        sha256: "c".repeat(64),
        createdAt: "2024-11-04T00:00:00.000Z",
        tags: ["trip"],
      },
    ]);
    const job = await organize(user, { template: "/Sorted/{category}/{yyyy}/{mm}/{tag}" });
    expect(job.status).toBe("succeeded");
    const paths = Object.fromEntries((await allFiles(user, job.id)).map((f) => [f.originalPath, f.newPath]));
    expect(paths).toEqual({
      "/poster.psd": "/Design/2025/poster.psd",
      "/screen.png": "/Sorted/Screens/2025/03/untagged/screen.png",
      "/liar.pdf": "/Sorted/Images/2024/11/trip/liar.pdf",
    });
    await expectProblem(
      await post(user, "/organize", { template: "/{category}/{month}" }),
      422,
      "invalid_template",
    );

    // Another user can't see, change or delete these categories; built-ins can't be changed.
    const other = await newUser();
    const id = ((await design.json()) as { category: { id: string } }).category.id;
    const put = (u: typeof user, target: string) =>
      call(`/api/v1/categories/${target}`, {
        method: "PUT",
        token: u.accessToken,
        json: { name: "Mine", extensions: [".z"] },
      });
    await expectProblem(await put(other, id), 404, "not_found");
    await expectProblem(
      await call(`/api/v1/categories/${id}`, { method: "DELETE", token: other.accessToken }),
      404,
    );
    await expectProblem(await put(user, "cat_builtin_images"), 403, "built_in_category");
    expect((await put(user, id)).status).toBe(200);
    expect((await call(`/api/v1/categories/${id}`, { method: "DELETE", ...auth })).status).toBe(204);
    await expectProblem(await call(`/api/v1/categories/${id}`, { method: "DELETE", ...auth }), 404);
  });

  it("conflict policies: skip leaves the file, keep-both shares the name", async () => {
    const user = await newUser();
    await seed(user.id, [
      {
        name: "a.png",
        folder: "/x",
        mime: "image/png",
        kind: "image",
        size: 1,
        sha256: "1".repeat(64),
        createdAt: "2025-01-01T00:00:00.000Z",
      },
      {
        name: "a.png",
        folder: "/y",
        mime: "image/png",
        kind: "image",
        size: 2,
        sha256: "2".repeat(64),
        createdAt: "2025-01-02T00:00:00.000Z",
      },
    ]);
    const skip = await organize(user, { dryRun: true, conflict: "skip" });
    const s = await allFiles(user, skip.id);
    expect(s.map((f) => f.status).sort()).toEqual(["planned", "skipped"]);
    expect(s.find((f) => f.status === "skipped")!.reason).toBe("conflict");
    const both = await organize(user, { dryRun: true, conflict: "keep-both" });
    expect((await allFiles(user, both.id)).map((f) => f.newPath)).toEqual(["/Images/a.png", "/Images/a.png"]);
    const rename = await organize(user, { dryRun: true });
    expect((await allFiles(user, rename.id, "&sort=path")).map((f) => f.newPath)).toEqual([
      "/Images/a.png",
      "/Images/a (2).png",
    ]);
  });

  it("rename-new over many chunks: every copy of a name gets its own (n), never one already taken", async () => {
    const user = await newUser();
    const copies = 90; // more than two chunks of 40 (the test chunk size)
    const file = (i: number, name: string, folder: string) => ({
      name,
      folder,
      mime: "image/png",
      kind: "image" as const,
      size: 10 + i,
      sha256: i.toString(16).padStart(64, "0"),
      createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
    });
    await seed(user.id, [
      // Names shaped like copies, planned in chunk 1: they count as copies of b.png, c.png and c (7).png.
      file(0, "b (50).png", "/in/b"),
      file(0, "c (7) (3).png", "/in/c"),
      ...Array.from({ length: copies }, (_, i) => file(i + 1, i % 2 ? "a.png" : "A.PNG", `/in/${i}`)),
      file(1000, "a (3).png", "/Images"), // a live file: (3) is taken before the plan starts
      ...Array.from({ length: 5 }, (_, i) => file(2000 + i, "noext", `/in/${i}`)),
      ...["b.png", "B.PNG", "c (7).png", "c (7).png", "c.png", "c.png"].map((name, i) =>
        file(3000 + i, name, `/in/${i}`),
      ),
    ]);
    const plan = await organize(user, { dryRun: true });
    expect(plan.status).toBe("succeeded");
    const files = await allFiles(user, plan.id);
    const paths = files.filter((f) => f.status === "planned").map((f) => f.newPath!.toLowerCase());
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).not.toContain("/images/a (3).png");
    expect(
      files
        .filter((f) => /\/[bc][ .]/i.test(f.newPath ?? ""))
        .map((f) => f.newPath)
        .sort(),
    ).toEqual(
      [
        "b (50).png",
        "b.png",
        "B (51).PNG",
        "c (7) (3).png",
        "c (7).png",
        "c (7) (4).png",
        "c.png",
        "c (8).png",
      ]
        .map((name) => `/Images/${name}`)
        .sort(),
    );
    // The highest (n) per name is kept only while planning.
    const left = await env.DB.prepare("SELECT count(*) AS n FROM organize_names WHERE job_id = ?")
      .bind(plan.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const pngs = paths.filter((p) => p.startsWith("/images/a"));
    // Exactly as the probe has always named them: (3) is live, so after (2) the next copies go on
    // from (4) in chunk 1, and chunks 2 and 3 each start above the highest (n) handed out before.
    expect(pngs.sort()).toEqual(
      ["a.png", "a (2).png", ...Array.from({ length: copies - 2 }, (_, i) => `a (${i + 4}).png`)]
        .map((name) => `/images/${name}`)
        .sort(),
    );
    expect(paths.filter((p) => p.startsWith("/images/noext")).sort()).toEqual([
      "/images/noext",
      "/images/noext (2)",
      "/images/noext (3)",
      "/images/noext (4)",
      "/images/noext (5)",
    ]);
  });
});
