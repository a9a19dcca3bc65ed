import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { type MediaJson, sha256, uploadOk } from "../media/helpers";
import { collect, type JobJson, waitFinal, watch } from "./helpers";

// credits as configured (wrangler.toml): sign-up grant and the price of a production job
const FREE = Number(env.FREE_CREDITS);
const COST = Number(env.VECTORIZE_CREDIT_COST);

const SOURCE = "recreation__toys__rubik.png";
let bytes: Uint8Array;

beforeAll(async () => {
  bytes = await fixture(SOURCE);
});

/** Every opened tag is closed in order: enough to call the document well-formed for our output. */
function expectWellFormedSvg(svg: string) {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(svg.trimStart().startsWith("<svg")).toBe(true);
}

describe("vectorize jobs end to end", () => {
  it("upload → vectorize → progress over the WebSocket in order → SVG stored beside the source", async () => {
    const user = await newUser();
    const source = await uploadOk(user, bytes, "rubik.png", { folder: "/toys" });
    const before = (
      (await (await call("/api/v1/me", { token: user.accessToken })).json()) as { user: { credits: number } }
    ).user.credits;

    const res = await call("/api/v1/vectorize", {
      method: "POST",
      token: user.accessToken,
      headers: { "idempotency-key": "vec-1" },
      json: { mediaId: source.id, options: { preset: "logo" } },
    });
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: JobJson };
    expect(["queued", "running", "succeeded"]).toContain(job.status);

    const upgrade = await watch(user, job.id);
    expect(upgrade.status).toBe(101);
    const { messages, closed } = await collect(upgrade.webSocket!);
    expect(closed).toBe(1000);
    const final = messages.at(-1)!;
    expect(final.type).toBe("succeeded");
    const percents = messages.filter((m) => m.type === "progress").map((m) => Number(m.percent));
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);

    const done = await waitFinal(user, job.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 1 });
    const svgId = String(done.result?.svgMediaId);
    const svgMedia = (
      (await (await call(`/api/v1/media/${svgId}`, { token: user.accessToken })).json()) as {
        media: MediaJson;
      }
    ).media;
    expect(svgMedia).toMatchObject({
      name: "rubik.logo.svg",
      folder: "/toys",
      mime: "image/svg+xml",
      width: source.width,
      height: source.height,
    });
    const content = await call(`/api/v1/media/${svgId}/content`, { token: user.accessToken });
    expect(content.headers.get("content-security-policy")).toContain("sandbox");
    const svg = await content.text();
    expectWellFormedSvg(svg);
    expect(svg).toContain(`viewBox="0 0 ${source.width} ${source.height}"`);
    expect(svg).not.toMatch(/<script|on\w+=/i);

    const after = (
      (await (await call("/api/v1/me", { token: user.accessToken })).json()) as { user: { credits: number } }
    ).user.credits;
    expect(after).toBe(before - COST);

    // Idempotent replay: the same answer, no second job.
    const replay = await call("/api/v1/vectorize", {
      method: "POST",
      token: user.accessToken,
      headers: { "idempotency-key": "vec-1" },
      json: { mediaId: source.id, options: { preset: "logo" } },
    });
    expect(((await replay.json()) as { job: JobJson }).job.id).toBe(job.id);

    // Same bytes + same options: the cached SVG, at once, free, no new media.
    const again = await call("/api/v1/vectorize", {
      method: "POST",
      token: user.accessToken,
      json: { mediaId: source.id, options: { preset: "logo" } },
    });
    const cached = ((await again.json()) as { job: JobJson }).job;
    expect(cached.status).toBe("succeeded");
    expect(cached.result).toMatchObject({ svgMediaId: svgId, cached: true });
    const owed = await env.DB.prepare(
      "SELECT count(*) AS n FROM outbox WHERE topic = 'job.created' AND json_extract(payload, '$.jobId') = ?",
    )
      .bind(cached.id)
      .first<{ n: number }>();
    expect(owed?.n).toBe(0);
    const svgCount = await env.DB.prepare(
      "SELECT count(*) AS n FROM media WHERE owner_id = ? AND mime = 'image/svg+xml'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(svgCount?.n).toBe(1);

    // A late watcher gets the final state at once and a clean close.
    const late = await collect((await watch(user, job.id)).webSocket!);
    expect(late.messages).toHaveLength(1);
    expect(late.messages[0]!.type).toBe("succeeded");
    expect(late.closed).toBe(1000);
  });

  it("a truncated image fails at once without retries, and the credits come back", async () => {
    const user = await newUser();
    const truncated = bytes!.slice(0, 2000);
    const sha = await sha256(truncated);
    await env.MEDIA.put(`blobs/${sha}`, truncated);
    const now = new Date().toISOString();
    const mediaId = `med_trunc${crypto.randomUUID().replace(/-/g, "").slice(0, 11)}`;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO blobs (sha256, size, mime, ref_count, created_at) VALUES (?, ?, 'image/png', 1, ?)",
      ).bind(sha, truncated.byteLength, now),
      env.DB.prepare(
        "INSERT INTO media (id, owner_id, name, name_key, folder, mime, kind, size, sha256, width, height, tags, created_at, updated_at) VALUES (?, ?, 'broken.png', 'broken.png', '/', 'image/png', 'image', ?, ?, 533, 533, '[]', ?, ?)",
      ).bind(mediaId, user.id, truncated.byteLength, sha, now, now),
    ]);
    const res = await call("/api/v1/vectorize", {
      method: "POST",
      token: user.accessToken,
      json: { mediaId },
    });
    const { job } = (await res.json()) as { job: JobJson };
    const done = await waitFinal(user, job.id);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(1);
    expect(done.error?.code).toBe("corrupt_image");
    const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { credits: number };
    };
    expect(me.user.credits).toBe(FREE);
  });

  it("a batch of 50 images finishes; the parent's progress is the sum of its children's", async () => {
    const user = await newUser();
    const small = await fixture("unsorted__candela.png");
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await uploadOk(user, small, `candle-${i}.png`)).id);
    const res = await call("/api/v1/vectorize/batch", {
      method: "POST",
      token: user.accessToken,
      json: { mediaIds: ids, options: { preset: "illustration" } },
    });
    expect(res.status).toBe(202);
    const parent = ((await res.json()) as { job: JobJson }).job;
    expect(parent.progress.total).toBe(50);
    const done = await waitFinal(user, parent.id, 120_000);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toMatchObject({ done: 50, total: 50, percent: 100 });
    expect(done.result).toMatchObject({ succeeded: 50, failed: 0 });
    const children = await env.DB.prepare(
      "SELECT status, count(*) AS n FROM jobs WHERE parent_id = ? GROUP BY status",
    )
      .bind(parent.id)
      .all();
    expect(children.results).toEqual([{ status: "succeeded", n: 50 }]);
    const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { credits: number };
    };
    expect(me.user.credits).toBe(FREE - 50 * COST);
  }, 180_000);

  it("refuses bad requests clearly: bad options, non-images, other users' media and jobs", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const image = await uploadOk(alice, bytes, "a.png");
    const text = await uploadOk(alice, "just some text\n", "notes.txt");

    await expectProblem(
      await call("/api/v1/vectorize", {
        method: "POST",
        token: alice.accessToken,
        json: { mediaId: image.id, options: { colors: 500 } },
      }),
      422,
      "validation_failed",
    );
    await expectProblem(
      await call("/api/v1/vectorize", {
        method: "POST",
        token: alice.accessToken,
        json: { mediaId: image.id, options: { mode: "sepia" } },
      }),
      422,
    );
    await expectProblem(
      await call("/api/v1/vectorize", {
        method: "POST",
        token: alice.accessToken,
        json: { mediaId: text.id },
      }),
      415,
      "unsupported_media_type",
    );
    await expectProblem(
      await call("/api/v1/vectorize", {
        method: "POST",
        token: bob.accessToken,
        json: { mediaId: image.id },
      }),
      404,
    );

    const { job } = (await (
      await call("/api/v1/vectorize", {
        method: "POST",
        token: alice.accessToken,
        json: { mediaId: image.id },
      })
    ).json()) as { job: JobJson };
    await expectProblem(await call(`/api/v1/jobs/${job.id}`, { token: bob.accessToken }), 404);
    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/cancel`, { method: "POST", token: bob.accessToken }),
      404,
    );
    await expectProblem(await watch(bob, job.id), 404);
    await expectProblem(await call(`/api/v1/jobs/${job.id}/ws`, { headers: { upgrade: "websocket" } }), 401);
    const listed = (await (await call("/api/v1/jobs", { token: bob.accessToken })).json()) as {
      items: unknown[];
    };
    expect(listed.items).toHaveLength(0);
    await expectProblem(await call("/api/v1/jobs?scope=all", { token: bob.accessToken }), 403);

    await waitFinal(alice, job.id);
    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/cancel`, { method: "POST", token: alice.accessToken }),
      409,
      "job_finished",
    );
  });

  it("cancelling a batch cancels what hasn't run yet; credits are charged only for what succeeded", async () => {
    const user = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await uploadOk(user, bytes, `cube-${i}.png`)).id);
    const res = await call("/api/v1/vectorize/batch", {
      method: "POST",
      token: user.accessToken,
      json: { mediaIds: ids, options: { preset: "poster" } },
    });
    const parent = ((await res.json()) as { job: JobJson }).job;
    const cancel = await call(`/api/v1/jobs/${parent.id}/cancel`, {
      method: "POST",
      token: user.accessToken,
    });
    expect(cancel.status).toBe(200);
    const done = await waitFinal(user, parent.id, 60_000);
    const result = done.result as { succeeded: number; cancelled: number; failed: number };
    expect(result.succeeded + result.cancelled + result.failed).toBe(6);
    expect(result.failed).toBe(0);
    const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
      user: { credits: number };
    };
    expect(me.user.credits).toBe(FREE - result.succeeded * COST);
    const svgs = await env.DB.prepare(
      "SELECT count(*) AS n FROM media WHERE owner_id = ? AND mime = 'image/svg+xml'",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(svgs?.n).toBe(result.succeeded);
  });

  it("sync mode answers the SVG directly for a small image", async () => {
    const user = await newUser();
    const image = await uploadOk(user, bytes, "sync.png");
    const res = await call("/api/v1/vectorize?sync=true", {
      method: "POST",
      token: user.accessToken,
      json: { mediaId: image.id, options: { mode: "binary" } },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("image/svg+xml");
    expectWellFormedSvg(await res.text());
  });

  it("fans progress out to 200 watchers of one job", async () => {
    const user = await newUser();
    const res = await call("/api/v1/vectorize/batch", {
      method: "POST",
      token: user.accessToken,
      json: { mediaIds: ["med_missing0000000000000"] },
    });
    await expectProblem(res, 404);
    // A job that is queued and never consumed: insert it directly so the watchers see only what we publish.
    const jobId = `job_fanout${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
    const now = new Date().toISOString();
    await env.DB.prepare(
      "INSERT INTO jobs (id, user_id, type, status, input, progress, created_at, updated_at) VALUES (?, ?, 'vectorize', 'queued', '{}', ?, ?, ?)",
    )
      .bind(jobId, user.id, JSON.stringify({ stage: "queued", done: 0, total: 1, percent: 0 }), now, now)
      .run();
    const sockets = await Promise.all(
      Array.from({ length: 200 }, async () => (await watch(user, jobId)).webSocket!),
    );
    const received = sockets.map((ws) => collect(ws, 20_000));
    const stub = env.OPERATION_PROGRESS.getByName(jobId);
    expect(await stub.publish({ type: "progress", stage: "tracing", done: 1, total: 2, percent: 50 })).toBe(
      200,
    );
    expect(await stub.publish({ type: "succeeded", job: { id: jobId } })).toBe(200);
    const all = await Promise.all(received);
    for (const { messages, closed } of all) {
      expect(messages.map((m) => m.type)).toEqual(["progress", "progress", "succeeded"]);
      expect(closed).toBe(1000);
    }
  }, 60_000);
});
