import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { uploadOk } from "../media/helpers";

/** what a production trace costs (wrangler.toml) */
const COST = Number(env.VECTORIZE_CREDIT_COST);

const credits = async (user: TestUser) =>
  (await (await call("/api/v1/me", { token: user.accessToken })).json<{ user: { credits: number } }>()).user
    .credits;

/** Leaves the user exactly `left` credits, through the ledger like an admin adjustment would. */
async function setCredits(user: TestUser, left: number) {
  const now = await credits(user);
  await env.DB.prepare(
    "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at) VALUES (?, ?, 'grant', ?, ?, 'test', ?)",
  )
    .bind(
      `crd_${crypto.randomUUID().slice(0, 20)}`,
      user.id,
      left - now,
      `adjust-${crypto.randomUUID()}`,
      new Date().toISOString(),
    )
    .run();
}

const sync = (user: TestUser, mediaId: string, options: Record<string, unknown> = { mode: "binary" }) =>
  call("/api/v1/vectorize?sync=true", {
    method: "POST",
    token: user.accessToken,
    json: { mediaId, options },
  });

describe("POST /vectorize?sync=true is charged like a job (#3)", () => {
  it("costs what a job costs through the ledger, and is refused with 402 when short", async () => {
    const user = await newUser();
    const image = await uploadOk(user, await fixture("computer__bluepane_01.png"), "sync.png");
    await setCredits(user, COST);
    const first = await sync(user, image.id);
    expect(first.status, await first.clone().text()).toBe(200);
    expect(await credits(user)).toBe(0);
    await expectProblem(await sync(user, image.id), 402, "insufficient_credits");
    expect(await credits(user)).toBe(0);
    const ledger = await env.DB.prepare(
      "SELECT kind, amount FROM credit_ledger WHERE user_id = ? AND kind IN ('reserve', 'commit') ORDER BY kind",
    )
      .bind(user.id)
      .all<{ kind: string; amount: number }>();
    expect(ledger.results).toEqual([
      { kind: "commit", amount: 0 },
      { kind: "reserve", amount: -COST },
    ]);
  });

  it("parallel sync traces never take more than the balance", async () => {
    const user = await newUser();
    const image = await uploadOk(user, await fixture("computer__bluepane_01.png"), "sync.png");
    await setCredits(user, 2 * COST);
    const results = await Promise.all(Array.from({ length: 5 }, () => sync(user, image.id)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 402)).toHaveLength(3);
    expect(await credits(user)).toBe(0);
  });
});
