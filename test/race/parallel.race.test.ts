import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, newUser } from "../helpers/api";
import { counts, form, randomBytes, TINY_PNG, uploadOk } from "../media/helpers";
import { mixedLibrary, organize, seed, snapshot, waitFinal } from "../organize/helpers";

describe("races the API must absorb", () => {
  it("parallel uploads under one Idempotency-Key store one file; the others replay it or are told it is in flight", async () => {
    const user = await newUser();
    const bytes = randomBytes(4000, 77);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call("/api/v1/media", {
          method: "POST",
          token: user.accessToken,
          body: form(bytes, "same.bin"),
          headers: { "idempotency-key": "parallel-1" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(),
    ).toBe(true);
    const bodies = new Set(await Promise.all(results.filter((r) => r.status === 201).map((r) => r.text())));
    expect(bodies.size).toBe(1);
    expect(await counts(user.id)).toEqual({ rows: 1, usedBytes: 4000, usedFiles: 1 });
  });

  it("parallel credit spends never take more than the balance", async () => {
    const user = await newUser();
    const image = await uploadOk(user, TINY_PNG, "tiny.png");
    // Exactly three jobs' worth of credits (the price and the sign-up grant come from the config).
    const cost = Number(env.VECTORIZE_CREDIT_COST);
    const me = await call("/api/v1/me", { token: user.accessToken });
    const granted = (await me.json<{ user: { credits: number } }>()).user.credits;
    await env.DB.prepare(
      "INSERT INTO credit_ledger (id, user_id, kind, amount, ref, note, created_at) VALUES (?, ?, 'grant', ?, 'test-adjust', 'test', ?)",
    )
      .bind(`crd_${crypto.randomUUID().slice(0, 20)}`, user.id, 3 * cost - granted, new Date().toISOString())
      .run();
    // Ten different option sets: no cache hit, each one a paid job.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call("/api/v1/vectorize", {
          method: "POST",
          token: user.accessToken,
          json: { mediaId: image.id, options: { mode: "posterize", colors: 2 + i } },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 402, 402, 402, 402, 402, 402, 402]);
    const balance = await env.DB.prepare(
      "SELECT coalesce(sum(amount), 0) AS n FROM credit_ledger WHERE user_id = ?",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(balance?.n).toBeGreaterThanOrEqual(0);
  });

  it("parallel applies and rollbacks of one plan start one job each at most, and leave no file half moved", async () => {
    const user = await newUser();
    await seed(user.id, mixedLibrary(60));
    const before = await snapshot(user.id);
    const plan = await organize(user, { dryRun: true });
    const fire = (what: "apply" | "rollback") =>
      call(`/api/v1/jobs/${plan.id}/${what}`, { method: "POST", token: user.accessToken, json: {} });
    const results = await Promise.all([...Array(5)].flatMap(() => [fire("apply"), fire("rollback")]));
    const answers = await Promise.all(
      results.map(async (r) => ({
        status: r.status,
        body: await r.json<{ job?: { id: string; input: { action: string } } }>(),
      })),
    );
    expect(
      answers.every((a) => [202, 409].includes(a.status)),
      JSON.stringify(answers.map((a) => a.status)),
    ).toBe(true);
    const started = new Map<string, Set<string>>();
    for (const a of answers.filter((x) => x.status === 202)) {
      const action = a.body.job!.input.action;
      started.set(action, (started.get(action) ?? new Set()).add(a.body.job!.id));
    }
    expect(started.get("apply")?.size ?? 0).toBeLessThanOrEqual(1);
    expect(started.get("rollback")?.size ?? 0).toBeLessThanOrEqual(1);
    for (const ids of started.values()) for (const id of ids) await waitFinal(user, id, 60_000);
    // Whatever won, every file is either where it was or where the plan put it, and none is lost.
    const after = await snapshot(user.id);
    expect(after.size).toBe(before.size);
    for (const [id, file] of after) expect(file.sha256).toBe(before.get(id)!.sha256);
  });
});
