// Issue 16 through the API: every format from one trace, the quality report, auto-tune, pricing modes,
// cache hits with their real figures, result names.
import { env } from "cloudflare:workers";
import { PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { uploadOk } from "../media/helpers";
import { type JobJson, vectorized } from "./helpers";

const COST = Number(env.VECTORIZE_CREDIT_COST);
const PREVIEW = Number(env.VECTORIZE_PREVIEW_CREDIT_COST);
const FORMAT = Number(env.VECTORIZE_FORMAT_CREDIT_COST);

let rubik: Uint8Array;
let house: Uint8Array;
beforeAll(async () => {
  rubik = await fixture("recreation__toys__rubik.png");
  house = await fixture("buildings__homes__my_house_01.png");
});

async function credits(user: TestUser): Promise<number> {
  const me = (await (await call("/api/v1/me", { token: user.accessToken })).json()) as {
    user: { credits: number };
  };
  return me.user.credits;
}

const result = (job: JobJson) =>
  job.result as {
    svgMediaId: string;
    name: string;
    bytes: number;
    paths: number;
    colors: number;
    quality: { ssim: number; deltaE: number; gmsd: number };
    pricing: string;
    vectorSha256: string;
    cached?: true;
    fromJobId?: string;
    tune?: {
      met: boolean;
      chosen: number;
      attempts: { level: number; bytes: number; ssim: number; met: boolean }[];
    };
  };

const get = (user: TestUser, path: string) => call(path, { token: user.accessToken });

describe("a job's result in every format", () => {
  it("SVG comes with the job; other formats are unlocked once, named for what made them", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const job = await vectorized(user, source.id, { mode: "posterize", colors: 8 });
    expect(job.status).toBe("succeeded");
    const r = result(job);
    expect(r.name).toBe("rubik.posterize.c8.svg");

    const svg = await get(user, `/api/v1/jobs/${job.id}/result?format=svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-disposition")).toContain('filename="rubik.posterize.c8.svg"');
    const svgText = await svg.text();
    expect(svgText).toMatch(/^<svg xmlns/);
    // the stored SVG (the library's copy) and the result are one trace
    const stored = await (await get(user, `/api/v1/media/${r.svgMediaId}/content`)).text();
    expect(stored.length).toBe(r.bytes);

    // before: the price, shown
    const offers = (await (await get(user, `/api/v1/jobs/${job.id}/formats`)).json()) as {
      formats: { format: string; price: number; unlocked: boolean }[];
    };
    expect(offers.formats).toEqual([
      { format: "svg", price: 0, unlocked: true },
      { format: "pdf", price: FORMAT, unlocked: false },
      { format: "eps", price: FORMAT, unlocked: false },
      { format: "dxf", price: FORMAT, unlocked: false },
      { format: "png", price: FORMAT, unlocked: false },
    ]);
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/result?format=pdf`), 402, "format_locked");

    const before = await credits(user);
    const unlock = () =>
      call(`/api/v1/jobs/${job.id}/formats/pdf`, { method: "POST", token: user.accessToken });
    const first = await unlock();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      format: "pdf",
      charged: FORMAT,
      unlocked: true,
      credits: before - FORMAT,
    });
    // idempotent: unlocking again costs nothing
    expect(await (await unlock()).json()).toMatchObject({ charged: 0, credits: before - FORMAT });
    expect(await credits(user)).toBe(before - FORMAT);

    const pdf = await get(user, `/api/v1/jobs/${job.id}/result?format=pdf`);
    expect(pdf.status, await pdf.clone().text()).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toContain('filename="rubik.posterize.c8.pdf"');
    const doc = await PDFDocument.load(new Uint8Array(await pdf.arrayBuffer()));
    expect(doc.getPage(0).getSize().width).toBeCloseTo((job.result!.width as number) * 0.75, 2);

    // a locked format of someone else's job is not theirs to unlock
    const other = await newUser();
    await expectProblem(await get(other, `/api/v1/jobs/${job.id}/result?format=svg`), 404, "not_found");
  }, 90_000);

  it("refuses clearly: a bad format, an unfinished job, an expired result", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const job = await vectorized(user, source.id);
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/result?format=gif`), 422);
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/result?format=png&width=0`), 422);
    await expectProblem(
      await call(`/api/v1/jobs/${job.id}/formats/tiff`, { method: "POST", token: user.accessToken }),
      422,
    );
    await env.DB.prepare("UPDATE jobs SET status = 'running' WHERE id = ?").bind(job.id).run();
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/result`), 409, "job_not_succeeded");
    const longAgo = new Date(Date.now() - 31 * 86_400_000).toISOString();
    await env.DB.prepare("UPDATE jobs SET status = 'succeeded', finished_at = ? WHERE id = ?")
      .bind(longAgo, job.id)
      .run();
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/result`), 410, "result_expired");
    await expectProblem(await get(user, `/api/v1/jobs/${job.id}/formats`), 410, "result_expired");
  }, 60_000);
});

describe("quality report and auto-tune", () => {
  it("every job reports SSIM, ΔE and GMSD with its size, paths and colours", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const r = result(await vectorized(user, source.id, { preset: "logo" }));
    expect(r.quality.ssim).toBeGreaterThan(0.8);
    expect(r.quality.ssim).toBeLessThanOrEqual(1);
    expect(r.quality.deltaE).toBeGreaterThanOrEqual(0);
    expect(r.quality.deltaE).toBeLessThan(10);
    expect(r.quality.gmsd).toBeGreaterThanOrEqual(0);
    expect(r.quality.gmsd).toBeLessThan(0.3);
    expect(r.paths).toBeGreaterThan(0);
    expect(r.colors).toBeGreaterThan(1);
  }, 60_000);

  it("minSSIM: keeps the smallest attempt that meets it, within the attempt budget", async () => {
    const user = await newUser();
    const source = await uploadOk(user, house, "house.png");
    const job = await vectorized(user, source.id, { target: { minSSIM: 0.9 }, maxPixels: 250_000 });
    const r = result(job);
    const tune = r.tune!;
    expect(tune.attempts.length).toBeGreaterThan(1);
    expect(tune.attempts.length).toBeLessThanOrEqual(Number(env.VECTORIZE_TUNE_ATTEMPTS));
    expect(tune.met).toBe(true);
    const met = tune.attempts.filter((a) => a.met);
    expect(tune.attempts[tune.chosen]!.bytes).toBe(Math.min(...met.map((a) => a.bytes)));
    expect(r.bytes).toBe(tune.attempts[tune.chosen]!.bytes);
    expect(r.quality.ssim).toBeGreaterThanOrEqual(0.9);
    expect(r.name).toBe("house.ssim90.svg");
  }, 120_000);

  it("maxBytes: a result no larger than asked", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const plain = result(await vectorized(user, source.id, { preset: "illustration" }));
    const maxBytes = Math.round(plain.bytes * 0.7);
    const r = result(await vectorized(user, source.id, { preset: "illustration", target: { maxBytes } }));
    expect(r.tune!.met).toBe(true);
    expect(r.bytes).toBeLessThanOrEqual(maxBytes);
    // the first lean enough attempt: no quality given up beyond what the size asks
    expect(r.tune!.attempts.filter((a) => a.met)).toHaveLength(1);
  }, 120_000);

  it("a synchronous trace tunes too and reports its quality; a target says what it wants", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const sync = await call("/api/v1/vectorize?sync=true", {
      method: "POST",
      token: user.accessToken,
      json: { mediaId: source.id, options: { target: { minSSIM: 0.9 } } },
    });
    expect(sync.status).toBe(200);
    const q = /^ssim=([\d.]+); deltaE=([\d.]+); gmsd=([\d.]+)$/.exec(
      sync.headers.get("x-trace-quality") ?? "",
    );
    expect(q).not.toBeNull();
    expect(Number(q![1])).toBeGreaterThanOrEqual(0.9);
    for (const target of [{}, { minSSIM: 2 }, { maxBytes: 10 }, { other: 1 }]) {
      const res = await call("/api/v1/vectorize", {
        method: "POST",
        token: user.accessToken,
        json: { mediaId: source.id, options: { target } },
      });
      await expectProblem(res, 422);
    }
  });
});

describe("pricing modes", () => {
  it("quote first: test is free, preview cheap, production full; the quote reserves nothing", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const before = await credits(user);
    for (const [pricing, cost] of [
      ["test", 0],
      ["preview", PREVIEW],
      ["production", COST],
    ] as const) {
      const res = await call("/api/v1/vectorize/quote", {
        method: "POST",
        token: user.accessToken,
        json: { mediaIds: [source.id], pricing },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        pricing,
        cost,
        credits: before,
        enough: true,
        items: [{ mediaId: source.id, cost, cached: false }],
      });
    }
    expect(await credits(user)).toBe(before);
  });

  it("test: free, watermarked in every format, every format free", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const before = await credits(user);
    const job = await vectorized(user, source.id, {}, "test");
    expect(await credits(user)).toBe(before);
    const r = result(job);
    expect(r).toMatchObject({ pricing: "test", name: "rubik.test.svg" });
    const svg = await (await get(user, `/api/v1/media/${r.svgMediaId}/content`)).text();
    expect(svg).toContain('stroke="#808080"');
    for (const format of ["svg", "pdf", "eps", "dxf", "png"]) {
      const res = await get(user, `/api/v1/jobs/${job.id}/result?format=${format}`);
      expect(res.status, format).toBe(200);
    }
    expect(await (await get(user, `/api/v1/jobs/${job.id}/result?format=dxf`)).text()).toContain(
      "STROKE_808080",
    );
    expect(await credits(user)).toBe(before);
  }, 90_000);

  it("preview: the preview price, traced from a reduced copy", async () => {
    const user = await newUser();
    const source = await uploadOk(user, house, "house.png");
    const before = await credits(user);
    const r = result(await vectorized(user, source.id, {}, "preview"));
    expect(await credits(user)).toBe(before - PREVIEW);
    expect(r).toMatchObject({ pricing: "preview", name: "house.preview.svg", downscaled: true });
  }, 60_000);

  it("a cache hit reports the real size, paths, colours and quality of its result", async () => {
    const user = await newUser();
    const source = await uploadOk(user, rubik, "rubik.png");
    const first = result(await vectorized(user, source.id, { colors: 6 }));
    const again = await call("/api/v1/vectorize", {
      method: "POST",
      token: user.accessToken,
      json: { mediaId: source.id, options: { colors: 6 } },
    });
    const { job } = (await again.json()) as { job: JobJson };
    expect(job.status).toBe("succeeded");
    const hit = result(job);
    expect(hit).toMatchObject({
      cached: true,
      bytes: first.bytes,
      paths: first.paths,
      colors: first.colors,
      quality: first.quality,
      vectorSha256: first.vectorSha256,
      name: "rubik.c6.svg",
    });
    // and its formats come from the same trace
    const png = await get(user, `/api/v1/jobs/${job.id}/result?format=svg`);
    expect(png.status).toBe(200);
  }, 60_000);
});
