import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";

const share = (user: TestUser, mediaId: string) =>
  call(`/api/v1/media/${mediaId}/shares`, { method: "POST", token: user.accessToken, json: {} });

interface Page {
  items: { id: string }[];
  nextCursor: string | null;
}

describe("share links: a cursor on the list and a cap per file (#20)", () => {
  it("pages the list with ?limit and ?cursor, newest first, each link exactly once", async () => {
    const user = await newUser();
    const media = await uploadOk(user, "shared", "s.txt");
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push((await (await share(user, media.id)).json<{ share: { id: string } }>()).share.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call(
        `/api/v1/media/${media.id}/shares?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: user.accessToken },
      );
      expect(res.status).toBe(200);
      const page = await res.json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    await expectProblem(
      await call(`/api/v1/media/${media.id}/shares?cursor=garbage`, { token: user.accessToken }),
      400,
      "invalid_cursor",
    );
  });

  it("a file holds at most 20 live links; revoked and expired ones don't count", async () => {
    const user = await newUser();
    const media = await uploadOk(user, "popular", "p.txt");
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await share(user, media.id);
      expect(res.status).toBe(201);
      ids.push((await res.json<{ share: { id: string } }>()).share.id);
    }
    await expectProblem(await share(user, media.id), 409, "too_many_shares");
    await call(`/api/v1/media/${media.id}/shares/${ids[0]}`, { method: "DELETE", token: user.accessToken });
    expect((await share(user, media.id)).status).toBe(201);
    await expectProblem(await share(user, media.id), 409, "too_many_shares");
    await env.DB.prepare("UPDATE shares SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(ids[1])
      .run();
    expect((await share(user, media.id)).status).toBe(201);
    const live = await env.DB.prepare(
      "SELECT count(*) AS n FROM shares WHERE media_id = ? AND revoked_at IS NULL AND expires_at > ?",
    )
      .bind(media.id, new Date().toISOString())
      .first<{ n: number }>();
    expect(live?.n).toBe(20);
  });
});
