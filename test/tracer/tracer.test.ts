import { describe, expect, it } from "vitest";
import tracerWasm from "../../src/wasm/build/tracer.wasm?module";
import {
  createTracer,
  getTracer,
  resolveOptions,
  TRACE_PRESETS,
  TraceError,
  type TraceStage,
  traceImage,
  traceOptionsSchema,
} from "../../src/wasm/index";
import { fixture } from "../helpers/fixtures";
import { JPEG_48x32, WEBP_48x32, WEBP_LOSSLESS_48x32 } from "./fixtures";
import { extent, fromBase64, image, parseSvg } from "./helpers";

const expectCode = async (p: Promise<unknown>, code: string) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TraceError);
  expect((e as TraceError).code).toBe(code);
};

describe("tracer on the clip-art corpus", () => {
  it("traces a colour PNG: viewBox = source size, one path per colour, deterministic", async () => {
    const bytes = await fixture("recreation__toys__rubik.png");
    const a = await traceImage(bytes);
    const b = await traceImage(bytes);
    expect(a.svg).toBe(b.svg);
    const svg = parseSvg(a.svg);
    expect([svg.vbW, svg.vbH]).toEqual([533, 533]);
    expect(svg.paths.length).toBeGreaterThanOrEqual(4);
    expect(new Set(svg.paths.map((p) => p.fill)).size).toBe(svg.paths.length);
    expect(a.stats).toMatchObject({
      format: "png",
      width: 533,
      height: 533,
      downscaled: false,
      mode: "color",
    });
    expect(a.stats.paths).toBe(svg.paths.length);
    expect(a.stats.points).toBeGreaterThan(50);
    expect(a.stats.peakMemoryBytes).toBeGreaterThan(0);
    // curves are fitted (c/s) and straight runs kept straight (l/h/v)
    expect(a.svg).toMatch(/[cs]/);
    expect(a.svg).toMatch(/[hvl]/);
  });

  it("binary mode paints only black", async () => {
    const r = await traceImage(await fixture("office__cross_hand_drawn_linda_k_01.png"), { mode: "binary" });
    const svg = parseSvg(r.svg);
    expect(svg.paths.length).toBe(1);
    expect(svg.paths[0]!.fill).toBe("#000");
    expect(r.stats.subpaths).toBeGreaterThanOrEqual(1);
  });

  it("posterize honours the colour count", async () => {
    const r = await traceImage(await fixture("people__sailing_kids.png"), { mode: "posterize", colors: 4 });
    expect(parseSvg(r.svg).paths.length).toBeLessThanOrEqual(4);
  });

  it("every preset and output mode produces a valid SVG", async () => {
    const bytes = await fixture("shapes__jigsaw__jigsaw_red_16.png");
    for (const preset of TRACE_PRESETS) parseSvg((await traceImage(bytes, { preset })).svg);
    const poly = await traceImage(bytes, { output: "polygons" });
    expect(parseSvg(poly.svg).paths.every((p) => !/[cs]/.test(p.d))).toBe(true);
    const cut = await traceImage(bytes, { layering: "cutout", precision: 0 });
    expect(parseSvg(cut.svg).paths.every((p) => !p.d.includes("."))).toBe(true);
  });

  it("reports progress through the stages in order", async () => {
    const stages: TraceStage[] = [];
    await traceImage(await fixture("shapes__arrows__arrow08_4.png"), undefined, {
      onProgress: (p) => {
        if (stages.at(-1) !== p.stage) stages.push(p.stage);
        expect(p.fraction).toBeGreaterThanOrEqual(0);
        expect(p.fraction).toBeLessThanOrEqual(1);
      },
    });
    expect(stages).toEqual(["decoding", "quantizing", "tracing", "writing"]);
  });
});

describe("decoders", () => {
  it("decodes JPEG and WebP (lossy and lossless)", async () => {
    for (const b64 of [JPEG_48x32, WEBP_48x32, WEBP_LOSSLESS_48x32]) {
      const r = await traceImage(fromBase64(b64), { colors: 3 });
      const svg = parseSvg(r.svg);
      expect([svg.vbW, svg.vbH]).toEqual([48, 32]);
      expect(svg.paths.length).toBeGreaterThanOrEqual(2);
    }
  });

  it("corrupt, truncated and unknown files give typed errors", async () => {
    const png = await fixture("shapes__arrows__arrow08_4.png");
    await expectCode(traceImage(png.slice(0, png.length >> 1)), "corrupt_image");
    await expectCode(traceImage(png.slice(0, 20)), "corrupt_image");
    const flipped = png.slice();
    for (let i = 100; i < flipped.length; i += 7) flipped[i] = flipped[i]! ^ 0x5a;
    await expectCode(traceImage(flipped), "corrupt_image");
    await expectCode(traceImage(new TextEncoder().encode("GIF89a not supported")), "unsupported_format");
    await expectCode(traceImage(new Uint8Array(0)), "unsupported_format");
    const jpeg = fromBase64(JPEG_48x32);
    await expectCode(traceImage(jpeg.slice(0, 40)), "corrupt_image");
    const webp = fromBase64(WEBP_48x32);
    await expectCode(traceImage(webp.slice(0, 24)), "corrupt_image");
  });

  it("checks the pixel cap from the header before decoding", async () => {
    const png = (await fixture("shapes__arrows__arrow08_4.png")).slice(0, 64);
    // claim 100000 x 100000 in IHDR; the rest is garbage that would fail to decode
    new DataView(png.buffer).setUint32(16, 100_000);
    new DataView(png.buffer).setUint32(20, 100_000);
    await expectCode(traceImage(png), "too_many_pixels");
    const real = await fixture("shapes__arrows__arrow08_4.png");
    await expectCode(traceImage(real, { maxPixels: 10_000, onOversize: "error" }), "too_many_pixels");
  });
});

describe("options", () => {
  it("validates with the shared zod schema", async () => {
    expect(traceOptionsSchema.safeParse({ mode: "color", colors: 8, output: "polygons" }).success).toBe(true);
    expect(traceOptionsSchema.safeParse({ colors: 65 }).success).toBe(false);
    expect(traceOptionsSchema.safeParse({ mode: "sepia" }).success).toBe(false);
    expect(traceOptionsSchema.safeParse({ bogus: 1 }).success).toBe(false);
    await expectCode(traceImage(new Uint8Array(8), { colors: 1 }), "invalid_options");
    expect(() => resolveOptions({ layering: "both" })).toThrow(TraceError);
  });

  it("presets fill defaults and explicit values win", () => {
    expect(resolveOptions({ preset: "lineart" }).mode).toBe("binary");
    expect(resolveOptions({ preset: "poster" })).toMatchObject({ mode: "posterize", colors: 8 });
    expect(resolveOptions({ preset: "poster", colors: 5 }).colors).toBe(5);
    expect(resolveOptions({})).toMatchObject({
      mode: "color",
      colors: 0,
      layering: "stacked",
      output: "curves",
    });
  });
});

describe("pixels", () => {
  const tracer = getTracer();

  it("keeps transparent areas empty", () => {
    const img = image(40, 30, (x, y) =>
      x >= 10 && x < 30 && y >= 5 && y < 25 ? [200, 20, 20, 255] : [0, 0, 0, 0],
    );
    const svg = parseSvg(tracer.traceRgba(img).svg);
    expect(svg.paths.length).toBe(1);
    const e = extent(svg.paths[0]!.d);
    expect(e.minX).toBeGreaterThanOrEqual(9.5);
    expect(e.maxX).toBeLessThanOrEqual(30.5);
    expect(e.minY).toBeGreaterThanOrEqual(4.5);
    expect(e.maxY).toBeLessThanOrEqual(25.5);
    expect(parseSvg(tracer.traceRgba(image(8, 8, () => [9, 9, 9, 0])).svg).paths).toEqual([]);
  });

  it("can drop a white background", () => {
    const img = image(40, 40, (x, y) =>
      (x - 20) ** 2 + (y - 20) ** 2 < 100 ? [0, 0, 0, 255] : [255, 255, 255, 255],
    );
    expect(parseSvg(tracer.traceRgba(img).svg).paths.length).toBe(2);
    const dropped = parseSvg(tracer.traceRgba(img, { dropWhiteBackground: true }).svg);
    expect(dropped.paths.map((p) => p.fill)).toEqual(["#000"]);
  });

  it("stacks layers: the lower layer extends under the upper one (no gaps)", () => {
    // left half red, right half blue: one of the two must reach past the shared edge
    const img = image(40, 20, (x) => (x < 20 ? [220, 0, 0, 255] : [0, 0, 220, 255]));
    const svg = parseSvg(tracer.traceRgba(img).svg);
    expect(svg.paths.length).toBe(2);
    const [lower, upper] = svg.paths.map((p) => extent(p.d));
    expect(lower!.maxX - lower!.minX + (upper!.maxX - upper!.minX)).toBeGreaterThan(40);
  });

  it("cutout: neighbouring regions overlap by a 1 px trap at their seam, no sliver between them", () => {
    // left half red, right half blue on a curved seam's straight cousin: each region is traced alone
    const img = image(40, 20, (x) => (x < 20 ? [220, 0, 0, 255] : [0, 0, 220, 255]));
    const svg = parseSvg(tracer.traceRgba(img, { layering: "cutout" }).svg);
    const byFill = new Map(svg.paths.map((p) => [p.fill, extent(p.d)]));
    const red = byFill.get("#dc0000")!;
    const blue = byFill.get("#0000dc")!;
    expect(red.maxX).toBeCloseTo(20.5, 5);
    expect(blue.minX).toBeCloseTo(19.5, 5);
    // against the image border they reach out as always; nothing else stacks
    expect(red.minX).toBeLessThanOrEqual(0);
    expect(blue.maxX).toBeGreaterThanOrEqual(40);
  });

  it("downscales above the cap (with a colour count: tiles would choose apart) and keeps the original size in the viewBox", () => {
    const img = image(300, 200, (x, y) =>
      ((x >> 4) + (y >> 4)) % 2 ? [250, 200, 0, 255] : [0, 80, 160, 255],
    );
    const r = tracer.traceRgba(img, { maxPixels: 6000, colors: 2 });
    expect(r.stats.downscaled).toBe(true);
    expect(r.stats.tracedWidth * r.stats.tracedHeight).toBeLessThanOrEqual(6000);
    const svg = parseSvg(r.svg);
    expect([svg.vbW, svg.vbH, svg.width, svg.height]).toEqual([300, 200, 300, 200]);
    const e = extent(svg.paths.map((p) => p.d).join(""));
    expect(e.maxX).toBeGreaterThan(290);
    expect(e.maxY).toBeGreaterThan(190);
  });

  it("uses ≤ 25 MB of WASM memory per megapixel in colour mode", () => {
    const img = image(1000, 1000, (x, y) => [(x * 7) & 255, (y * 5) & 255, ((x ^ y) * 3) & 255, 255]);
    const r = tracer.traceRgba(img);
    expect(r.stats.peakMemoryBytes / 1048576).toBeLessThanOrEqual(25);
  });

  it("a trace in kept memory gives the same SVG as one in new memory; big memories are not kept", () => {
    const fresh = () => createTracer({ tracerModule: tracerWasm, decoders: {} });
    const colour = image(90, 70, (x, y) =>
      (x - 40) ** 2 + (y - 30) ** 2 < 500 ? [20, 90 + x, 200, 255] : [250, 250 - y, 240, x < 60 ? 255 : 0],
    );
    const lines = image(64, 64, (x, y) =>
      Math.abs(x - y) < 2 || (x * 3) % 17 === 0 ? [0, 0, 0, 255] : [255, 255, 255, 255],
    );
    const expected = [fresh().traceRgba(colour).svg, fresh().traceRgba(lines, { mode: "binary" }).svg];
    const tracer = fresh();
    for (let round = 0; round < 2; round++) {
      expect(tracer.traceRgba(colour).svg).toBe(expected[0]);
      expect(tracer.traceRgba(lines, { mode: "binary" }).svg).toBe(expected[1]);
    }
    const big = image(800, 800, (x, y) => [(x * 7) & 255, (y * 5) & 255, ((x ^ y) * 3) & 255, 255]);
    expect(tracer.traceRgba(big).stats.peakMemoryBytes).toBeGreaterThan(8 * 1048576);
    const after = tracer.traceRgba(lines, { mode: "binary" });
    expect(after.svg).toBe(expected[1]);
    expect(after.stats.peakMemoryBytes).toBeLessThanOrEqual(8 * 1048576);
  });
});
