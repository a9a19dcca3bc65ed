import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { jobRow } from "../helpers/jobs";

interface Page {
  items: { id: string; type: string; status: string; createdAt: string; parentId: string | null }[];
  nextCursor: string | null;
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();

async function list(user: TestUser, query: string): Promise<Page> {
  const res = await call(`/api/v1/jobs?${query}`, { token: user.accessToken });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Page>();
}

/** Every page of a list, following the cursors. */
async function allPages(user: TestUser, query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list(user, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    ids.push(...page.items.map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

describe("GET /jobs: filters and pages", () => {
  it("answers every combination of filters with the right rows, page by page, for each user", async () => {
    const alice = await newUser();
    const bob = await newUser();
    // Alice: six jobs a minute apart, two of them organize jobs, two failed, one a batch's child.
    const parent = await jobRow(alice.id, { status: "succeeded", createdAt: at(0) });
    const ids = [parent];
    for (let minute = 1; minute <= 5; minute++) {
      ids.push(
        await jobRow(alice.id, {
          status: minute % 2 === 0 ? "failed" : "succeeded",
          createdAt: at(minute),
          parentId: minute === 3 ? parent : undefined,
        }),
      );
    }
    await env.DB.prepare("UPDATE jobs SET type = 'organize' WHERE id IN (?, ?)").bind(ids[4], ids[5]).run();
    const bobs = await jobRow(bob.id, { status: "failed", createdAt: at(2) });
    const newestFirst = [...ids].reverse();

    // The same queries for two users: each sees exactly their own jobs.
    for (const [user, own] of [
      [alice, newestFirst],
      [bob, [bobs]],
    ] as const) {
      expect((await list(user, "")).items.map((j) => j.id)).toEqual(own);
      expect(await allPages(user, "limit=2")).toEqual(own);
    }
    expect(await allPages(alice, "limit=1&type=organize")).toEqual([ids[5], ids[4]]);
    expect(await allPages(alice, "limit=1&status=failed")).toEqual([ids[4], ids[2]]);
    expect(await allPages(alice, "limit=1&type=vectorize&status=failed")).toEqual([ids[2]]);
    expect(await allPages(alice, `limit=2&from=${at(1)}&to=${at(4)}`)).toEqual([
      ids[4],
      ids[3],
      ids[2],
      ids[1],
    ]);
    expect(await allPages(alice, `parentId=${parent}`)).toEqual([ids[3]]);
    expect((await list(bob, "status=succeeded")).items).toEqual([]);

    const admin = await newUser({ role: "admin" });
    const everyone = await allPages(admin, `limit=3&scope=all&from=${at(0)}&to=${at(5)}&status=failed`);
    expect(everyone).toEqual(expect.arrayContaining([ids[4], ids[2], bobs]));
    await expectProblem(await call("/api/v1/jobs?cursor=not-a-cursor", { token: alice.accessToken }), 400);
  });
});
