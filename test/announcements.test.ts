import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "./helpers/api";

interface Announcement {
  id: string;
  title: string;
  audience: string;
  severity: string;
  format: string;
  startsAt: string;
  endsAt: string | null;
}

const create = (admin: TestUser, json: Record<string, unknown>) =>
  call("/api/v1/admin/announcements", { method: "POST", token: admin.accessToken, json });

async function created(admin: TestUser, json: Record<string, unknown>): Promise<Announcement> {
  const res = await create(admin, json);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ announcement: Announcement }>()).announcement;
}

async function active(user?: TestUser): Promise<string[]> {
  const res = await call("/api/v1/announcements", user ? { token: user.accessToken } : {});
  expect(res.status).toBe(200);
  return (await res.json<{ items: Announcement[] }>()).items.map((a) => a.title);
}

describe("announcements (#17)", () => {
  it("shows what is active for the caller's audience, and a dismissal is remembered per user", async () => {
    const admin = await newUser({ role: "admin" });
    const alice = await newUser();
    const bob = await newUser();
    const tag = crypto.randomUUID().slice(0, 6);
    const now = Date.now();
    const live = await created(admin, {
      title: `live ${tag}`,
      body: "Maintenance **tonight**",
      format: "markdown",
      severity: "warning",
    });
    await created(admin, { title: `admins ${tag}`, body: "Deploy at 9", audience: "admins" });
    await created(admin, {
      title: `later ${tag}`,
      body: "x",
      startsAt: new Date(now + 86_400_000).toISOString(),
    });
    await created(admin, {
      title: `over ${tag}`,
      body: "x",
      startsAt: new Date(now - 2 * 86_400_000).toISOString(),
      endsAt: new Date(now - 86_400_000).toISOString(),
    });
    const mine = (titles: string[]) => titles.filter((t) => t.endsWith(tag)).sort();
    expect(mine(await active(alice))).toEqual([`live ${tag}`]);
    expect(mine(await active())).toEqual([`live ${tag}`]);
    expect(mine(await active(admin))).toEqual([`admins ${tag}`, `live ${tag}`]);

    for (let i = 0; i < 2; i++) {
      const res = await call(`/api/v1/announcements/${live.id}/dismiss`, {
        method: "POST",
        token: alice.accessToken,
      });
      expect(res.status).toBe(204);
    }
    expect(mine(await active(alice))).toEqual([]);
    expect(mine(await active(bob))).toEqual([`live ${tag}`]);
    // A user can't dismiss (or learn of) an admins-only one.
    const adminOnly = (
      await (
        await call("/api/v1/announcements", { token: admin.accessToken })
      ).json<{
        items: Announcement[];
      }>()
    ).items.find((a) => a.title === `admins ${tag}`)!;
    await expectProblem(
      await call(`/api/v1/announcements/${adminOnly.id}/dismiss`, {
        method: "POST",
        token: alice.accessToken,
      }),
      404,
    );
    await expectProblem(await call(`/api/v1/announcements/${live.id}/dismiss`, { method: "POST" }), 401);
  });

  it("admin CRUD, audited; validation of links, window and fields; users can't manage them", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    const a = await created(admin, {
      title: "Hello",
      body: "See [status](https://status.example.com)",
      format: "markdown",
    });
    const patched = await call(`/api/v1/admin/announcements/${a.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      json: { severity: "critical", endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(patched.status).toBe(200);
    expect((await patched.json<{ announcement: Announcement }>()).announcement.severity).toBe("critical");
    const list = await call("/api/v1/admin/announcements?limit=100", { token: admin.accessToken });
    expect((await list.json<{ items: Announcement[] }>()).items.some((x) => x.id === a.id)).toBe(true);
    expect(
      (await call(`/api/v1/admin/announcements/${a.id}`, { method: "DELETE", token: admin.accessToken }))
        .status,
    ).toBe(204);
    await expectProblem(
      await call(`/api/v1/admin/announcements/${a.id}`, { method: "DELETE", token: admin.accessToken }),
      404,
    );
    const trail = await env.DB.prepare("SELECT action FROM audit_log WHERE target_id = ? ORDER BY created_at")
      .bind(a.id)
      .all<{ action: string }>();
    expect(trail.results.map((r) => r.action)).toEqual([
      "announcement.created",
      "announcement.updated",
      "announcement.deleted",
    ]);

    await expectProblem(
      await create(admin, { title: "x", body: "[click](javascript:alert(1))", format: "markdown" }),
      422,
      "unsafe_link",
    );
    // In plain text the same characters are only text.
    expect((await create(admin, { title: "x", body: "[click](javascript:alert(1))" })).status).toBe(201);
    await expectProblem(
      await create(admin, {
        title: "x",
        body: "y",
        startsAt: "2026-12-02T00:00:00.000Z",
        endsAt: "2026-12-01T00:00:00.000Z",
      }),
      422,
      "invalid_window",
    );
    await expectProblem(await create(admin, { title: "", body: "y" }), 422);
    await expectProblem(await create(admin, { title: "x", body: "y", severity: "meh" }), 422);
    await expectProblem(await create(user, { title: "x", body: "y" }), 403);
    await expectProblem(
      await call("/api/v1/admin/announcements/ann_00000000000000000000", {
        method: "PATCH",
        token: admin.accessToken,
        json: { title: "z" },
      }),
      404,
    );
  });
});
