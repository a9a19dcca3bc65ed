import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getTracer, type RgbaImage, TraceError, traceImage } from "../../src/wasm/index";
import { fixture } from "../helpers/fixtures";
import { image, parseSvg } from "./helpers";

const tracer = getTracer();

const optionsArb = fc.record(
  {
    mode: fc.constantFrom("color", "binary", "posterize", "centerline"),
    colors: fc.integer({ min: 2, max: 64 }),
    detail: fc.integer({ min: 0, max: 100 }),
    smoothness: fc.integer({ min: 0, max: 100 }),
    cornerThreshold: fc.integer({ min: 0, max: 180 }),
    speckle: fc.integer({ min: 0, max: 50 }),
    output: fc.constantFrom("curves", "polygons"),
    layering: fc.constantFrom("stacked", "cutout"),
    precision: fc.integer({ min: 0, max: 3 }),
    dropWhiteBackground: fc.boolean(),
    palette: fc.array(
      fc.integer({ min: 0, max: 0xffffff }).map((v) => `#${v.toString(16).padStart(6, "0")}`),
      { minLength: 1, maxLength: 8 },
    ),
    fillWide: fc.boolean(),
    maxStrokeWidth: fc.integer({ min: 1, max: 64 }),
    threshold: fc.integer({ min: 1, max: 255 }),
  },
  { requiredKeys: [] },
);

type Kind = "noise" | "transparent" | "single" | "lines" | "checker" | "alpha-noise" | "blocks";
const kindArb = fc.constantFrom<Kind>(
  "noise",
  "transparent",
  "single",
  "lines",
  "checker",
  "alpha-noise",
  "blocks",
);

function makeImage(kind: Kind, w: number, h: number, seed: number): RgbaImage {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) & 255;
  };
  const c0: [number, number, number, number] = [rnd(), rnd(), rnd(), 255];
  switch (kind) {
    case "noise":
      return image(w, h, () => [rnd(), rnd(), rnd(), 255]);
    case "alpha-noise":
      return image(w, h, () => [rnd(), rnd(), rnd(), rnd()]);
    case "transparent":
      return image(w, h, () => [rnd(), rnd(), rnd(), 0]);
    case "single":
      return image(w, h, () => c0);
    case "lines":
      return image(w, h, (x, y) => (x % 3 === 0 || y % 5 === 0 ? [0, 0, 0, 255] : [255, 255, 255, 255]));
    case "checker":
      return image(w, h, (x, y) => ((x + y) % 2 ? [0, 0, 0, 255] : [255, 255, 255, 255]));
    case "blocks":
      return image(w, h, (x, y) => [
        ((x >> 2) * 40) & 255,
        ((y >> 2) * 60) & 255,
        (((x + y) >> 3) * 90) & 255,
        (x >> 3) % 3 ? 255 : 0,
      ]);
  }
}

describe("fuzz: traceRgba never traps and stays deterministic", () => {
  it("random images and options", () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        optionsArb,
        (kind, w, h, seed, options) => {
          const img = makeImage(kind, w, h, seed);
          const a = tracer.traceRgba(img, options);
          const svg = parseSvg(a.svg);
          expect([svg.vbW, svg.vbH]).toEqual([w, h]);
          if (kind === "transparent") expect(svg.paths).toEqual([]);
          expect(tracer.traceRgba(img, options).svg).toBe(a.svg);
        },
      ),
      { numRuns: 150, seed: 20261121 },
    );
  });

  it("odd shapes up to the cap: 1xN, Nx1, 1-pixel lines, big checkerboard, noise, downscaled", () => {
    const cases: Array<[RgbaImage, object]> = [
      [image(1, 1, () => [1, 2, 3, 255]), {}],
      [image(4096, 1, (x) => (x % 2 ? [0, 0, 0, 255] : [255, 255, 255, 255])), {}],
      [image(1, 4096, (_x, y) => (y % 3 ? [200, 0, 0, 255] : [0, 0, 0, 0])), {}],
      [image(512, 512, (x, y) => ((x + y) % 2 ? [0, 0, 0, 255] : [255, 255, 255, 255])), { speckle: 0 }],
      [
        image(512, 512, (x, y) => ((x + y) % 2 ? [0, 0, 0, 255] : [255, 255, 255, 255])),
        { mode: "binary", speckle: 0 },
      ],
      [makeImage("noise", 400, 400, 7), { colors: 64, speckle: 0 }],
      [makeImage("noise", 400, 400, 9), { mode: "posterize", colors: 2, output: "polygons" }],
      [makeImage("alpha-noise", 300, 300, 11), { speckle: 0, layering: "cutout" }],
      // over the cap: downscaled (a colour count), or in tiles at full resolution (automatic palette)
      [makeImage("noise", 700, 500, 5), { maxPixels: 40_000, colors: 16 }],
      [makeImage("noise", 300, 200, 5), { maxPixels: 20_000 }],
    ];
    for (const [img, opts] of cases) {
      const r = tracer.traceRgba(img, opts);
      const svg = parseSvg(r.svg);
      expect([svg.vbW, svg.vbH]).toEqual([img.width, img.height]);
    }
  });
});

describe("fuzz: damaged files give typed errors only", () => {
  it("random truncations and byte flips of a real PNG", async () => {
    const png = await fixture("food__desserts__glace_03_bw_jean-victor__01.png");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: png.length }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: png.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 6,
        }),
        async (cut, flips) => {
          const bytes = png.slice(0, Math.max(cut, 1));
          for (const [i, v] of flips) if (i < bytes.length) bytes[i] = v;
          try {
            const r = await traceImage(bytes, { maxPixels: 200_000 });
            parseSvg(r.svg);
          } catch (e) {
            expect(e).toBeInstanceOf(TraceError);
            expect(["corrupt_image", "unsupported_format", "too_many_pixels"]).toContain(
              (e as TraceError).code,
            );
          }
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});
