import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";
import {
  allFiles,
  type FileJson,
  followUp,
  getJob,
  mixedLibrary,
  organize,
  post,
  seed,
  snapshot,
  waitFinal,
} from "./helpers";

const GROUPS = [{ copies: 2 }, { copies: 3 }, { copies: 4 }, { copies: 2 }, { copies: 5 }];

/**
 * Changes the library after a plan was made: renames one file it moves, trashes another, purges a
 * third (gone from the database), and uploads a new one. Returns their ids.
 */
async function changeAfterPlanning(user: TestUser, planned: FileJson[]) {
  const movers = planned.filter((f) => f.status === "planned" && f.action === "move").map((f) => f.mediaId);
  expect(movers.length).toBeGreaterThanOrEqual(3);
  const [renamed, trashed, purged] = movers;
  await call(`/api/v1/media/${renamed!}`, {
    method: "PATCH",
    token: user.accessToken,
    json: { name: "renamed.bin" },
  });
  await call(`/api/v1/media/${trashed!}`, { method: "DELETE", token: user.accessToken });
  await env.DB.prepare("DELETE FROM media WHERE id = ?").bind(purged!).run();
  const [late] = await seed(user.id, mixedLibrary(1));
  return { renamed: renamed!, trashed: trashed!, purged: purged!, late: late! };
}

describe("organize end to end through the real queue", () => {
  it("plans, applies, groups duplicates exactly, loses nothing, and rolls back to the identical library", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(200, GROUPS));
    const real = await uploadOk(user, "hello, organizer", "hello.txt", { folder: "/inbox" });
    const before = await snapshot(user.id);
    expect(before.size).toBe(200 + 16 + 1);

    const job = await organize(user, { duplicates: "move", keep: "oldest" });
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    expect(job.attempts).toBeGreaterThan(5); // one claim per chunk
    expect(job.result).toMatchObject({ files: before.size, dryRun: false, state: "applied" });

    const files = await allFiles(user, job.id);
    expect(files).toHaveLength(before.size);
    const after = await snapshot(user.id);
    // Nothing lost: same rows, same multiset of hashes.
    expect(after.size).toBe(before.size);
    const hashes = (m: Map<string, { sha256: string }>) => [...m.values()].map((v) => v.sha256).sort();
    expect(hashes(after)).toEqual(hashes(before));
    // Every file is where the plan said.
    for (const f of files) {
      const now = after.get(f.mediaId)!;
      expect(f.originalPath).toBe(before.get(f.mediaId)!.path);
      if (f.status === "moved") expect(now.path).toBe(f.newPath);
      else expect(now.path).toBe(f.originalPath);
      expect(["moved", "unchanged"]).toContain(f.status);
    }
    const real2 = files.find((f) => f.mediaId === real.id)!;
    expect(real2).toMatchObject({ category: "Documents", newPath: "/Documents/hello.txt", status: "moved" });
    // Categories come from the detected type, and the built-in rules.
    const cat = (path: string) => files.find((f) => f.originalPath === path)?.category;
    expect(cat("/photo-0.png")).toBe("Images");
    expect(cat("/inbox/shot-1.jpg")).toBe("Images");
    expect(cat("/projects/alpha/logo-2.svg")).toBe("Vector");
    expect(cat("/old/2019/stuff/table-4.csv")).toBe("Spreadsheets");
    expect(cat("/script-3.ts")).toBe("Code");
    expect(cat("/inbox/font-4.ttf")).toBe("Fonts");
    expect(cat("/projects/alpha/blob-5.xyz")).toBe("Other");
    // Destination names never clash (rename-new).
    const dest = files.filter((f) => f.newPath).map((f) => f.newPath!.toLowerCase());
    expect(new Set(dest).size).toBe(dest.length);
    expect(files.some((f) => / \(2\)\.\w+$/.test(f.newPath ?? ""))).toBe(true);

    // Duplicates: exactly the planted groups, the oldest kept, the others under /Duplicates.
    const dupRes = await call(`/api/v1/jobs/${job.id}/duplicates?limit=100`, { token: user.accessToken });
    const dups = (await dupRes.json()) as {
      groups: {
        sha256: string;
        count: number;
        size: number;
        totalBytes: number;
        keep: string;
        files: { mediaId: string; newPath: string; duplicateOf: string | null }[];
      }[];
      totals: { groups: number; files: number; reclaimableBytes: number };
    };
    expect(dups.groups.map((g) => g.count).sort()).toEqual(GROUPS.map((g) => g.copies).sort());
    expect(dups.totals.groups).toBe(GROUPS.length);
    const expectedReclaim = GROUPS.reduce((n, g, gi) => n + (g.copies - 1) * (50_000 + gi), 0);
    expect(dups.totals.reclaimableBytes).toBe(expectedReclaim);
    for (const g of dups.groups) {
      expect(g.totalBytes).toBe(g.size * g.count);
      const members = g.files.map((f) => f.mediaId);
      const oldest = [...members].sort((a, b) => {
        const fa = files.find((f) => f.mediaId === a)!;
        const fb = files.find((f) => f.mediaId === b)!;
        return fa.originalPath < fb.originalPath ? -1 : 1;
      });
      expect(oldest).toContain(g.keep);
      for (const f of g.files) {
        if (f.mediaId === g.keep) expect(f.newPath).toMatch(/^\/Images\/dup-\d\.png$/);
        else {
          expect(f.duplicateOf).toBe(g.keep);
          expect(f.newPath).toMatch(/^\/Duplicates\/projects\/deep\/nest-\d\/copy \d of dup-\d\.png$/);
        }
      }
    }

    // Roll back: every path identical to before; a second rollback is the same job (idempotent).
    const rb = await followUp(user, job.id, "rollback");
    expect(rb.status, JSON.stringify(rb.error)).toBe("succeeded");
    const restored = await snapshot(user.id);
    expect([...restored.entries()]).toEqual([...before.entries()]);
    const again = await post(user, `/jobs/${job.id}/rollback`);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { job: { id: string } }).job.id).toBe(rb.id);
    const rolled = await allFiles(user, job.id, "&status=rolled-back");
    expect(rolled.length).toBe(files.filter((f) => f.status === "moved").length);
    await expectProblem(await post(user, `/jobs/${job.id}/apply`), 409, "plan_already_applied");
  });

  it("a dry run changes nothing; apply runs exactly the stored plan and skips files that changed", async () => {
    const user = await newUser();
    const ids = await seed(user.id, mixedLibrary(90, [{ copies: 3 }]));
    const before = await snapshot(user.id);
    const plan = await organize(user, { dryRun: true, duplicates: "trash", keep: "newest" });
    expect(plan.status).toBe("succeeded");
    expect(plan.result).toMatchObject({ dryRun: true, state: "planned" });
    expect([...(await snapshot(user.id)).entries()]).toEqual([...before.entries()]);
    const planned = await allFiles(user, plan.id);
    expect(planned.every((f) => ["planned", "unchanged"].includes(f.status))).toBe(true);
    await expectProblem(await post(user, `/jobs/${plan.id}/rollback`), 409, "nothing_to_roll_back");

    const { renamed, trashed, purged, late } = await changeAfterPlanning(user, planned);

    const applied = await followUp(user, plan.id, "apply");
    expect(applied.status, JSON.stringify(applied.error)).toBe("succeeded");
    const files = await allFiles(user, plan.id);
    const by = new Map(files.map((f) => [f.mediaId, f]));
    expect(by.get(renamed)).toMatchObject({ status: "skipped", reason: "changed" });
    expect(by.get(trashed)).toMatchObject({ status: "skipped", reason: "changed" });
    expect(by.get(purged)).toMatchObject({ status: "skipped", reason: "missing" });
    expect(by.has(late)).toBe(false); // the stored plan, not a new scan
    const after = await snapshot(user.id);
    expect(after.get(late)!.path).toBe(before.size ? "/photo-0.png" : "");
    const moved = files.filter((f) => f.status === "moved");
    expect(moved.map((f) => after.get(f.mediaId)!.path)).toEqual(moved.map((f) => f.newPath));
    expect(after.get(renamed)!.path.endsWith("/renamed.bin")).toBe(true);
    // Duplicates went to the trash, the newest copy kept.
    const trashedDups = files.filter((f) => f.action === "dup-trash");
    expect(trashedDups).toHaveLength(2);
    for (const f of trashedDups) {
      expect(f.status).toBe("trashed");
      expect(after.get(f.mediaId)!.trashed).toBe(true);
    }
    // Applying twice is refused; the second apply request while applied → 409.
    await expectProblem(await post(user, `/jobs/${plan.id}/apply`), 409, "plan_already_applied");

    // Rollback restores the trashed duplicates and puts the rest back; changed files are reported.
    const rb = await followUp(user, plan.id, "rollback");
    expect(rb.status).toBe("succeeded");
    const restored = await snapshot(user.id);
    const back = ids.filter((id) => id !== purged && id !== renamed);
    expect(back.map((id) => restored.get(id)!.path)).toEqual(back.map((id) => before.get(id)!.path));
    const untouched = back.filter((id) => id !== trashed);
    expect(untouched.map((id) => restored.get(id)!.trashed)).toEqual(untouched.map(() => false));
  });

  it("keeps the shortest path and reports duplicates without moving them away", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(10, [{ copies: 3 }]));
    const job = await organize(user, { dryRun: true, keep: "shortest-path" });
    const res = await call(`/api/v1/jobs/${job.id}/duplicates`, { token: user.accessToken });
    const { groups } = (await res.json()) as {
      groups: { keep: string; files: { mediaId: string; originalPath: string; action: string }[] }[];
    };
    expect(groups).toHaveLength(1);
    const kept = groups[0]!.files.find((f) => f.mediaId === groups[0]!.keep)!;
    expect(kept.originalPath).toBe("/inbox/dup-0.png");
    expect(groups[0]!.files.every((f) => f.action === "move")).toBe(true);
  });

  it("reports: JSON summary, CSV per RFC 4180 without formulas, HTML that escapes every name and draws a chart", async () => {
    const user = await newUser();
    await uploadOk(user, new TextEncoder().encode("x"), "<img src=x onerror=alert(1)>.txt");
    await seed(user.id, [
      {
        name: '=HYPERLINK("http:evil")',
        folder: "/",
        mime: "text/plain",
        kind: "text",
        size: 3,
        sha256: "e".repeat(64),
        createdAt: "2025-01-01T00:00:00.000Z",
      },
      {
        name: 'comma, "quote".txt',
        folder: "/",
        mime: "text/plain",
        kind: "text",
        size: 4,
        sha256: "f".repeat(64),
        createdAt: "2025-01-01T00:00:00.000Z",
      },
      {
        name: "@SUM(1).txt",
        folder: "/",
        mime: "text/plain",
        kind: "text",
        size: 4,
        sha256: "f".repeat(64),
        createdAt: "2025-01-02T00:00:00.000Z",
      },
    ]);
    const job = await organize(user, { dryRun: true });
    const json = (await (
      await call(`/api/v1/jobs/${job.id}/report`, { token: user.accessToken })
    ).json()) as {
      summary: {
        files: number;
        byCategory: { category: string; files: number }[];
        duplicates: { groups: number; reclaimableBytes: number };
      };
      files: unknown[];
    };
    expect(json.summary.files).toBe(4);
    expect(json.files).toHaveLength(4);
    expect(json.summary.duplicates).toMatchObject({ groups: 1, reclaimableBytes: 4 });
    expect(json.summary.byCategory).toEqual([{ category: "Documents", files: 4, bytes: 12 }]);

    const csvRes = await call(`/api/v1/jobs/${job.id}/report?format=csv`, { token: user.accessToken });
    expect(csvRes.headers.get("content-type")).toContain("text/csv");
    const csv = await csvRes.text();
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "mediaId,originalPath,newPath,category,mime,size,sha256,action,status,reason,duplicateOf",
    );
    expect(lines).toHaveLength(6); // header, 4 rows, trailing empty
    expect(csv).toContain(`"/comma, ""quote"".txt"`);
    // Paths start with "/", so names can't start a cell; a cell that would start with = gets a quote.
    const { csvField } = await import("../../src/lib/csv");
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField("+1")).toBe(`"'+1"`);
    expect(csvField("@SUM(1)")).toBe(`"'@SUM(1)"`);
    expect(csvField("-2")).toBe(`"'-2"`);
    expect(csvField("a\r\nb")).toBe('"a\r\nb"');
    for (const line of lines.slice(1, -1))
      for (const cell of line.split(",")) expect(cell).not.toMatch(/^[=+@]/);

    const htmlRes = await call(`/api/v1/jobs/${job.id}/report?format=html`, { token: user.accessToken });
    expect(htmlRes.headers.get("content-type")).toContain("text/html");
    expect(htmlRes.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await htmlRes.text();
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;.txt");
    expect(html).toContain("=HYPERLINK(&quot;http:evil&quot;)");
    expect(html).toMatch(/<svg[^>]*>.*<rect[^>]*>.*Documents/s);
    expect(html).not.toMatch(/<script/i);

    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/report?format=pdf`, { token: user.accessToken }),
      422,
      "validation_failed",
    );
  });

  it("another user's organize job is a 404 everywhere; bad input is a problem", async () => {
    const owner = await newUser();
    const other = await newUser();
    await seed(owner.id, mixedLibrary(5));
    const job = await organize(owner, { dryRun: true });
    for (const path of ["files", "duplicates", "report"]) {
      await expectProblem(await call(`/api/v1/jobs/${job.id}/${path}`, { token: other.accessToken }), 404);
    }
    for (const path of ["apply", "rollback"]) {
      await expectProblem(await post(other, `/jobs/${job.id}/${path}`), 404);
    }
    await expectProblem(await post(owner, "/organize", { duplicates: "delete" }), 422, "validation_failed");
    await expectProblem(await post(owner, "/organize", { keep: "largest" }), 422, "validation_failed");
    await expectProblem(await post(owner, "/organize", { folder: "/a/../b" }), 422, "invalid_folder");
    await expectProblem(await post(owner, "/organize", { conflict: "overwrite" }), 422, "validation_failed");
    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/files?status=bogus`, { token: owner.accessToken }),
      422,
    );
    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/files?cursor=%%%`, { token: owner.accessToken }),
      400,
      "invalid_cursor",
    );
    await expectProblem(await call("/api/v1/jobs/job_nope/files", { token: owner.accessToken }), 404);
    const unauth = await call(`/api/v1/jobs/${job.id}/files`);
    expect(unauth.status).toBe(401);
  });

  it("organizes new uploads when the user turned it on", async () => {
    const user = await newUser();
    const put = await call("/api/v1/organize/settings", {
      method: "PUT",
      token: user.accessToken,
      json: { autoOrganize: true, template: "/Auto/{category}" },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    await expectProblem(
      await call("/api/v1/organize/settings", {
        method: "PUT",
        token: user.accessToken,
        json: { template: "no-slash" },
      }),
      422,
      "invalid_template",
    );
    const media = await uploadOk(user, "plain words", "note.txt", { folder: "/inbox" });
    const deadline = Date.now() + 15_000;
    let folder = "/inbox";
    while (Date.now() < deadline && folder === "/inbox") {
      await new Promise((r) => setTimeout(r, 100));
      const res = await call(`/api/v1/media/${media.id}`, { token: user.accessToken });
      folder = ((await res.json()) as { media: { folder: string } }).media.folder;
    }
    expect(folder).toBe("/Auto/Documents");
    const jobs = (await (await call("/api/v1/jobs?type=organize", { token: user.accessToken })).json()) as {
      items: { id: string; input: Record<string, unknown> }[];
    };
    expect(jobs.items[0]!.input).toMatchObject({ auto: true, mediaIds: [media.id] });
    // Turned off again: uploads stay where they land.
    await call("/api/v1/organize/settings", {
      method: "PUT",
      token: user.accessToken,
      json: { autoOrganize: false },
    });
    await uploadOk(user, "more words", "note2.txt", { folder: "/inbox" });
    const after = (await (await call("/api/v1/jobs?type=organize", { token: user.accessToken })).json()) as {
      items: unknown[];
    };
    expect(after.items).toHaveLength(1);
  });

  it("rate limits organize jobs per user (10 per hour by default)", async () => {
    const user = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await post(user, "/organize", { folder: "/empty", dryRun: true });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { job: { id: string } }).job.id);
    }
    const limited = await post(user, "/organize", { folder: "/empty", dryRun: true });
    await expectProblem(limited, 429, "rate_limited");
    expect(limited.headers.get("retry-after")).toBeTruthy();
    const last = await waitFinal(user, ids.at(-1)!);
    expect(last).toMatchObject({ status: "succeeded", result: { files: 0 } });
    expect((await getJob(user, ids[0]!)).status).toBe("succeeded");
  });
});
