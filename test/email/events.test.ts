import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { creditBalance } from "../../src/auth/accounts";
import { getDb } from "../../src/db/client";
import { relayMail } from "../../src/email/outbox";
import { createJobStatements } from "../../src/jobs/create";
import { failJob } from "../../src/jobs/lifecycle";
import { vectorizeJob } from "../../src/vectorize/job";
import { newUser } from "../helpers/api";
import { settledMailCount, waitForMail } from "../helpers/mail";

const db = getDb(env.DB);
/** The scheduled relay runs every 5 minutes and takes events older than a minute. */
const relayLater = () => relayMail(env, new Date(Date.now() + 2 * 60_000));

/** A vectorize job reserving `cost` credits; `settled`: answered on the spot, else queued. */
async function reserve(userId: string, cost: number, settled = true) {
  const created = createJobStatements(
    db,
    env,
    {
      type: vectorizeJob,
      userId,
      input: { mediaId: "med_x", options: {}, optionsHash: "h", sourceSha256: "s", pricing: "production" },
      settled: settled ? { result: {}, creditCost: cost } : undefined,
    },
    new Date(),
  );
  await db.batch(created.statements as [never, ...never[]]);
  return created.id;
}

describe("mail from other features' events", () => {
  it("'low credits' once, when a reservation takes the balance under the threshold", async () => {
    const user = await newUser();
    const start = (await creditBalance(db, user.id)) as number;
    await reserve(user.id, start - 15); // 15 left: above the threshold of 10
    await reserve(user.id, 4); // 11 left
    await reserve(user.id, 3); // 8 left: crossed
    await reserve(user.id, 2); // 6 left: already below, no second mail
    const events = await env.DB.prepare(
      "SELECT payload FROM outbox WHERE topic = 'credits.low' AND json_extract(payload, '$.userId') = ?",
    )
      .bind(user.id)
      .all<{ payload: string }>();
    expect(events.results.map((e) => JSON.parse(e.payload).balance)).toEqual([8]);
    expect(await relayLater()).toBeGreaterThanOrEqual(1);
    const mail = await waitForMail(user.email, /running low on credits/);
    expect(mail.text).toContain("You have 8 credits left.");
  });

  it("'job failed' for a job that ended failed, sent by the scheduled relay", async () => {
    const user = await newUser();
    const jobId = await reserve(user.id, 1, false);
    await failJob(
      db,
      { jobId },
      { code: "decode_failed", message: "The image could not be decoded." },
      new Date(),
    );
    await relayLater();
    const mail = await waitForMail(user.email, /vectorize job failed/);
    expect(mail.text).toContain("The image could not be decoded.");
    // Relaying again finds nothing left to send.
    const before = await settledMailCount(user.email);
    await relayLater();
    expect(await settledMailCount(user.email)).toBe(before);
  });
});
