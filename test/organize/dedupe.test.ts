import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, ORIGIN, type TestUser } from "../helpers/api";
import { allFiles, followUp, mixedLibrary, organize, post, type SeedFile, seed, snapshot } from "./helpers";

const putSettings = (user: TestUser, json: unknown) =>
  call("/api/v1/organize/settings", { method: "PUT", token: user.accessToken, json });

const twin = (
  name: string,
  folder: string,
  sha: string,
  createdAt: string,
  extra: Partial<SeedFile> = {},
) => ({
  name,
  folder,
  mime: "image/png",
  kind: "image",
  size: 5000,
  sha256: sha.padEnd(64, "0"),
  createdAt,
  ...extra,
});

const unique = (name: string, folder: string) =>
  twin(name, folder, crypto.randomUUID().replace(/-/g, ""), "2025-01-01T00:00:00.000Z", {
    mime: "text/plain",
    kind: "text",
    size: 10,
  });

describe("protected folders", () => {
  it("are validated, never changed by a plan, hold the copy kept, and refuse changes at planning, apply and rollback", async () => {
    const user = await newUser();
    await expectProblem(
      await putSettings(user, { protectedFolders: ["/"] }),
      422,
      "invalid_protected_folders",
    );
    await expectProblem(await putSettings(user, { protectedFolders: ["/a/../b"] }), 422);
    const set = await putSettings(user, { protectedFolders: ["Originals/", "/Originals/sub", " /Keep "] });
    expect(set.status).toBe(200);
    expect(
      ((await set.json()) as { settings: { protectedFolders: string[] } }).settings.protectedFolders,
    ).toEqual(["/Keep", "/Originals"]);

    const ids = await seed(user.id, [
      twin("photo.png", "/Originals", "aa", "2025-05-01T00:00:00.000Z"), // newest, but protected
      twin("photo copy.png", "/inbox", "aa", "2020-01-01T00:00:00.000Z"),
      unique("notes.txt", "/Originals/sub"),
      unique("todo.txt", "/inbox"),
      unique("send-to-keep.txt", "/inbox"),
      unique("later.txt", "/later"),
    ]);
    const [original, copy, notes, todo, sendToKeep, later] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    expect(
      (
        await call("/api/v1/organize/rules", {
          method: "PUT",
          token: user.accessToken,
          json: {
            rules: [
              {
                name: "Into keep",
                filters: { name: { glob: "send-to-*" } },
                action: { type: "move", template: "/Keep" },
              },
              { name: "All", action: { type: "move", template: "/Sorted" } },
            ],
          },
        })
      ).status,
    ).toBe(200);
    const before = await snapshot(user.id);

    const plan = await organize(user, { dryRun: true, duplicates: "trash", keep: "oldest" });
    const files = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    // The protected copy is kept although the policy says oldest; the other copy goes.
    expect(files.get(copy)).toMatchObject({ action: "dup-trash", duplicateOf: original, status: "planned" });
    expect(files.get(original)).toMatchObject({
      action: "skip",
      status: "skipped",
      reason: "protected",
      duplicateOf: null,
    });
    expect(files.get(notes)).toMatchObject({ action: "skip", status: "skipped", reason: "protected" });
    expect(files.get(sendToKeep)).toMatchObject({ status: "skipped", reason: "protected-destination" });
    expect(files.get(todo)).toMatchObject({ action: "move", newPath: "/Sorted/todo.txt" });
    expect(files.get(later)).toMatchObject({ action: "move", newPath: "/Sorted/later.txt" });

    // Protected after the plan was made: apply re-checks and leaves /later alone.
    await putSettings(user, { protectedFolders: ["/Originals", "/Keep", "/later"] });
    const applied = await followUp(user, plan.id, "apply");
    expect(applied.status).toBe("succeeded");
    const mid = await snapshot(user.id);
    expect(mid.get(original)).toEqual(before.get(original));
    expect(mid.get(notes)).toEqual(before.get(notes));
    expect(mid.get(later)).toEqual(before.get(later));
    expect(mid.get(sendToKeep)).toEqual(before.get(sendToKeep));
    expect(mid.get(copy)!.trashed).toBe(true);
    expect(mid.get(todo)!.path).toBe("/Sorted/todo.txt");
    const afterApply = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    expect(afterApply.get(later)).toMatchObject({ status: "skipped", reason: "protected" });

    // Protected after apply: rollback never takes a file out of /Sorted now, nor back into /inbox.
    await putSettings(user, { protectedFolders: ["/Originals", "/Keep", "/later", "/Sorted"] });
    const rolled = await followUp(user, plan.id, "rollback");
    expect(rolled.status).toBe("succeeded");
    const end = await snapshot(user.id);
    expect(end.get(todo)!.path).toBe("/Sorted/todo.txt");
    expect(end.get(copy)).toEqual(before.get(copy)); // restored from the trash: /inbox isn't protected
    expect(end.get(original)).toEqual(before.get(original));
    const afterRollback = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    expect(afterRollback.get(todo)).toMatchObject({ status: "rollback-skipped", reason: "protected" });
    expect(afterRollback.get(copy)).toMatchObject({ status: "rolled-back" });
  });

  it("keep: protected acts only on groups with a protected copy; the others are only reported", async () => {
    const user = await newUser();
    await putSettings(user, { protectedFolders: ["/Masters"] });
    const ids = await seed(user.id, [
      twin("a.png", "/Masters", "a1", "2025-01-01T00:00:00.000Z"),
      twin("a.png", "/x", "a1", "2024-01-01T00:00:00.000Z"),
      twin("b.png", "/y", "b1", "2024-01-01T00:00:00.000Z"),
      twin("b.png", "/z", "b1", "2025-01-01T00:00:00.000Z"),
    ]);
    const plan = await organize(user, {
      kind: "dedupe",
      duplicates: "trash",
      keep: "protected",
      dryRun: true,
    });
    const files = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    expect(files.get(ids[1]!)).toMatchObject({ action: "dup-trash", duplicateOf: ids[0] });
    expect(files.get(ids[2]!)).toMatchObject({ action: "none", duplicateOf: null });
    expect(files.get(ids[3]!)).toMatchObject({ action: "none", duplicateOf: null });
  });
});

describe("dedupe plans", () => {
  it("handle duplicates and leave every other file where it is; progress counts files and bytes", async () => {
    const user = await newUser();
    const groups = [{ copies: 2 }, { copies: 3 }, { copies: 4 }];
    await seed(user.id, mixedLibrary(120, groups));
    const before = await snapshot(user.id);
    const res = await post(user, "/organize", { kind: "dedupe", duplicates: "move", keep: "oldest" });
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: { id: string } };
    const ws = await exports.default.fetch(
      new Request(`${ORIGIN}/api/v1/jobs/${job.id}/ws`, {
        headers: { upgrade: "websocket", authorization: `Bearer ${user.accessToken}` },
      }),
    );
    expect(ws.status).toBe(101);
    const messages: Record<string, unknown>[] = [];
    const socket = ws.webSocket!;
    const closed = new Promise<void>((resolve) => {
      socket.addEventListener("message", (e) => {
        const m = JSON.parse(String(e.data)) as Record<string, unknown>;
        messages.push(m);
        if (m.type !== "progress") resolve();
      });
    });
    socket.accept();
    await closed;
    const final = messages.at(-1) as {
      type: string;
      job: { progress: Record<string, number | string>; result: Record<string, unknown> };
    };
    expect(final.type).toBe("succeeded");
    // Planning counted the 9 files of the 3 groups; applying, the 6 redundant copies it moved — in
    // files and bytes, not chunks.
    const planning = messages.filter((m) => m.type === "progress" && m.stage === "planning:duplicates");
    expect(planning.length).toBeGreaterThan(0);
    // Every one counted (a delivery no longer opens with a step that showed 0 of 0).
    for (const p of planning) expect(p).toMatchObject({ unit: "files", total: 9, bytesTotal: 450_011 });
    // One progress message per chunk, sent after its checkpoint (and the state on connecting): no
    // opening step, no repeat of it after the delivery.
    const chunks = await env.DB.prepare(
      "SELECT count(*) AS n FROM task_executions WHERE job_id = ? AND outcome = 'continued'",
    )
      .bind(job.id)
      .first<{ n: number }>();
    expect(messages.filter((m) => m.type === "progress").length).toBeLessThanOrEqual(chunks!.n + 1);
    expect(final.job.progress).toMatchObject({
      unit: "files",
      done: 6,
      total: 6,
      bytesDone: 300_008,
      bytesTotal: 300_008,
      percent: 100,
    });
    const files = await allFiles(user, job.id);
    expect(files).toHaveLength(9); // records only for the grouped files
    const after = await snapshot(user.id);
    const moved = files.filter((f) => f.status === "moved");
    expect(moved).toHaveLength(1 + 2 + 3);
    for (const [id, was] of before) {
      const f = files.find((r) => r.mediaId === id);
      if (f?.status === "moved") expect(after.get(id)!.path).toBe(f.newPath);
      else expect(after.get(id)).toEqual(was); // unique files and kept copies untouched
    }
    for (const f of moved) expect(f.newPath!.startsWith("/Duplicates/")).toBe(true);
    const rolled = await followUp(user, job.id, "rollback");
    expect(rolled.status).toBe("succeeded");
    // The rollback counts its own files and bytes from zero: the 6 copies it moved back.
    expect(rolled.progress).toMatchObject({ done: 6, total: 6, bytesDone: 300_008, bytesTotal: 300_008 });
    expect(await snapshot(user.id)).toEqual(before);
  });

  it("stack keeps every copy and shows one; largest-resolution keeps the biggest picture; review lists per kind", async () => {
    const user = await newUser();
    const ids = await seed(user.id, [
      twin("small.png", "/a", "c1", "2020-01-01T00:00:00.000Z", { width: 100, height: 100 }),
      twin("large.png", "/b", "c1", "2025-01-01T00:00:00.000Z", { width: 400, height: 300 }),
      twin("mid.png", "/c", "c1", "2023-01-01T00:00:00.000Z", { width: 200, height: 200 }),
      unique("alone.txt", "/a"),
    ]);
    const [small, large, mid] = ids as [string, string, string];
    const plan = await organize(user, { kind: "dedupe", duplicates: "stack", keep: "largest-resolution" });
    expect(plan.status).toBe("succeeded");
    const files = new Map((await allFiles(user, plan.id)).map((f) => [f.mediaId, f]));
    expect(files.get(large)).toMatchObject({ action: "none", duplicateOf: null });
    expect(files.get(small)).toMatchObject({ action: "dup-stack", status: "stacked", duplicateOf: large });
    expect(files.get(mid)).toMatchObject({ action: "dup-stack", status: "stacked", duplicateOf: large });

    const auth = { token: user.accessToken, headers: { "cache-control": "no-cache" } };
    const list = async (q = "") =>
      (
        (await (await call(`/api/v1/media${q}`, auth)).json()) as {
          items: { id: string; stackOf?: string }[];
        }
      ).items;
    expect((await list()).map((m) => m.id).sort()).toEqual([large, ids[3]!].sort());
    const all = await list("?stacked=true");
    expect(all).toHaveLength(4);
    expect(all.find((m) => m.id === small)!.stackOf).toBe(large);

    const review = await call(`/api/v1/jobs/${plan.id}/duplicates?match=bytes`, auth);
    expect(review.status).toBe(200);
    const body = (await review.json()) as {
      match: string;
      groups: { key: string; keep: string; count: number }[];
    };
    expect(body).toMatchObject({
      match: "bytes",
      groups: [{ key: "c1".padEnd(64, "0"), keep: large, count: 3 }],
    });
    await expectProblem(
      await call(`/api/v1/jobs/${plan.id}/duplicates?match=similar`, auth),
      409,
      "match_not_planned",
    );
    await expectProblem(await call(`/api/v1/jobs/${plan.id}/duplicates?match=nope`, auth), 422);

    await followUp(user, plan.id, "rollback");
    expect(await list()).toHaveLength(4);
  });
});
