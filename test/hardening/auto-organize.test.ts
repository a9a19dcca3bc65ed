import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";

const organizeJobs = async (userId: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE user_id = ? AND type = 'organize'")
      .bind(userId)
      .first<{ n: number }>()
  )?.n ?? 0;

describe("organize new uploads spends the organize limit like POST /organize (#19)", () => {
  it("uploads past the limit are stored but not organized, and POST /organize is 429 too", async () => {
    const user = await newUser();
    const settings = await call("/api/v1/organize/settings", {
      method: "PUT",
      token: user.accessToken,
      json: { autoOrganize: true },
    });
    expect(settings.status).toBe(200);
    // organize-user is 10 an hour in the tests (vitest.config.ts).
    for (let i = 0; i < 12; i++) await uploadOk(user, `file ${i}`, `f${i}.txt`);
    const deadline = Date.now() + 10_000;
    while ((await organizeJobs(user.id)) < 10 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(await organizeJobs(user.id)).toBe(10);
    await expectProblem(
      await call("/api/v1/organize", { method: "POST", token: user.accessToken, json: {} }),
      429,
      "rate_limited",
    );
    const media = await env.DB.prepare("SELECT count(*) AS n FROM media WHERE owner_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(media?.n).toBe(12);
  });
});
