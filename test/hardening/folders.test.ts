import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";
import { organize } from "../organize/helpers";

const LONG = "/Clients/Northwind Traders/2026/Marketing Assets/Final"; // 55 bytes
const list = async (user: TestUser, query: string) => {
  const res = await call(`/api/v1/media?${query}`, { token: user.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ items: { name: string; folder: string }[] }>()).items;
};
const move = (user: TestUser, from: string, to: string) =>
  call("/api/v1/folders/move", { method: "POST", token: user.accessToken, json: { from, to } });

describe("long folder paths, long type filters and long user searches (#8: no LIKE over 50 bytes)", () => {
  it("lists with sub-folders, filters by a long type prefix, moves, organizes and searches users", async () => {
    const user = await newUser();
    await uploadOk(user, "a", "a.txt", { folder: LONG });
    await uploadOk(user, "b", "b.txt", { folder: `${LONG}/Print` });
    await uploadOk(user, "c", "c.txt", { folder: `${LONG} copy` });
    const under = await list(user, `folder=${encodeURIComponent(LONG)}&sort=name`);
    expect(under.map((m) => m.name)).toEqual(["a.txt", "b.txt"]);
    // A type prefix over 50 bytes (a valid filter: letters, then `/*`).
    const typed = await list(user, `type=${"longtoplevel".repeat(5)}/*`);
    expect(typed).toEqual([]);
    expect((await list(user, "type=text/*")).length).toBe(3);

    const plan = await organize(user, { folder: LONG, dryRun: true });
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");

    const moved = await move(user, LONG, "/Archive/Northwind Traders 2026 Marketing Assets Final");
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect((await moved.json<{ moved: number }>()).moved).toBe(2);
    expect((await list(user, `folder=${encodeURIComponent(`${LONG} copy`)}`)).length).toBe(1);

    const admin = await newUser({ role: "admin" });
    const q = "a-search-string-that-is-longer-than-fifty-bytes-of-text@example.com";
    const res = await call(`/api/v1/admin/users?q=${encodeURIComponent(q)}`, { token: admin.accessToken });
    expect(res.status).toBe(200);
    const found = await call(`/api/v1/admin/users?q=${encodeURIComponent(user.email.slice(0, 12))}`, {
      token: admin.accessToken,
    });
    expect((await found.json<{ items: { id: string }[] }>()).items.map((u) => u.id)).toContain(user.id);
  });

  it("moves names with characters outside the BMP to the right place", async () => {
    const user = await newUser();
    await uploadOk(user, "x", "x.txt", { folder: "/📁 photos/🎉" });
    expect((await move(user, "/📁 photos", "/archive")).status).toBe(200);
    const row = await env.DB.prepare("SELECT folder FROM media WHERE owner_id = ?")
      .bind(user.id)
      .first<{ folder: string }>();
    expect(row?.folder).toBe("/archive/🎉");
  });
});

describe("folder moves re-check depth and length (#15)", () => {
  it("refuses a move that would nest a folder deeper than 20 or make a path longer than 1024 characters", async () => {
    const user = await newUser();
    const deep = Array.from({ length: 19 }, (_, i) => `d${i}`).join("/");
    await uploadOk(user, "x", "x.txt", { folder: `/${deep}/leaf` }); // depth 20
    await expectProblem(await move(user, `/${deep}`, `/extra/${deep}`), 422, "invalid_move");
    const wide = `/${Array.from({ length: 10 }, () => "z".repeat(95)).join("/")}`; // 960 characters
    const child = `${wide}/${"s".repeat(60)}`; // 1021 characters
    await uploadOk(user, "z", "z.txt", { folder: child });
    // The target itself is a valid folder (1001 characters); the moved child would be 1062.
    await expectProblem(await move(user, wide, `/${"w".repeat(40)}${wide}`), 422, "invalid_move");
    await expectProblem(await move(user, "/d0", "/"), 422, "invalid_move");
    const rows = await env.DB.prepare("SELECT folder FROM media WHERE owner_id = ? ORDER BY folder")
      .bind(user.id)
      .all<{ folder: string }>();
    expect(rows.results.map((r) => r.folder)).toEqual([`/${deep}/leaf`, child].sort());
  });
});
