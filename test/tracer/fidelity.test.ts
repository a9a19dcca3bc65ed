// Fidelity defects of issue 12, each pinned by a test: thin strokes broke into dashes; opaque pixels at
// edges against transparency (and at the image border) let the background through.
import { describe, expect, it } from "vitest";
import { getTracer } from "../../src/wasm/index";
import { uncoveredPixels } from "./geometry";
import { extent, parseSvg } from "./helpers";
import { drawn, image, type Px, segmentDistance } from "./pixels";

const tracer = getTracer();
const WHITE: Px = [255, 255, 255, 255];
const CLEAR: Px = [0, 0, 0, 0];
const rgbDistance = (fill: string, c: Px) => {
  const h = fill.length === 4 ? fill.replace(/[0-9a-f]/g, (d) => d + d).slice(1) : fill.slice(1);
  const v = [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
  return Math.max(...v.map((x, i) => Math.abs(x - c[i]!)));
};

describe("thin strokes stay whole", () => {
  const lines: Array<[number, number, number, number]> = [
    [4, 6, 60, 40],
    [5, 58, 57, 9],
    [8, 10, 22, 60],
  ];
  for (const width of [1, 1.5, 2, 3])
    for (const ink of [
      [20, 20, 30, 255],
      [30, 120, 220, 255],
      [200, 40, 40, 255],
    ] as Px[])
      for (const ground of [WHITE, CLEAR])
        it(`${width} px, rgb(${ink.slice(0, 3).join(",")}) on ${ground[3] ? "white" : "transparency"}`, () => {
          for (const [x0, y0, x1, y1] of lines) {
            const img = drawn(64, 64, ground, [
              { color: ink, inside: (x, y) => segmentDistance(x, y, x0, y0, x1, y1) < width / 2 },
            ]);
            const svg = parseSvg(tracer.traceRgba(img).svg);
            const stroke = svg.paths.filter((p) => rgbDistance(p.fill, ink) < 90);
            expect(stroke.length, `a path in the stroke's colour for ${[x0, y0, x1, y1]}`).toBe(1);
            // one connected shape, not dashes, from end to end
            expect(stroke[0]!.d.match(/m/g)!.length, `sub-paths of ${[x0, y0, x1, y1]}`).toBe(1);
            const e = extent(stroke[0]!.d);
            expect(e.minX).toBeLessThan(Math.min(x0, x1) + 2);
            expect(e.maxX).toBeGreaterThan(Math.max(x0, x1) - 2);
            expect(e.minY).toBeLessThan(Math.min(y0, y1) + 2);
            expect(e.maxY).toBeGreaterThan(Math.max(y0, y1) - 2);
          }
        });
});

describe("every opaque pixel is covered", () => {
  const disc = (cx: number, cy: number, r: number) => (x: number, y: number) =>
    Math.hypot(x - cx, y - cy) < r;
  const cases: Array<[string, ReturnType<typeof image>]> = [
    [
      "anti-aliased disc on transparency",
      drawn(48, 48, CLEAR, [{ color: [220, 40, 40, 255], inside: disc(24, 24, 19) }]),
    ],
    [
      "stacked shapes on transparency (an emoji-like face)",
      drawn(64, 64, CLEAR, [
        { color: [255, 204, 77, 255], inside: disc(32, 32, 28) },
        { color: [102, 69, 0, 255], inside: disc(22, 26, 4) },
        { color: [102, 69, 0, 255], inside: disc(42, 26, 4) },
        {
          color: [102, 69, 0, 255],
          inside: (x, y) => Math.abs(Math.hypot(x - 32, y - 34) - 12) < 2 && y > 38,
        },
      ]),
    ],
    [
      "hard-edged staircase on transparency",
      image(40, 40, (x, y) => (x + 2 * y < 60 && x > 4 && y > 3 ? [30, 90, 200, 255] : [0, 0, 0, 0])),
    ],
    [
      "three colours to the image border",
      image(36, 24, (x, y) =>
        y < 8 ? [0, 90, 180, 255] : x + y < 34 ? [250, 210, 0, 255] : [220, 40, 40, 255],
      ),
    ],
    [
      "a ring over a disc, on transparency",
      drawn(40, 40, CLEAR, [
        { color: [220, 40, 40, 255], inside: disc(20, 20, 16) },
        { color: [20, 20, 30, 255], inside: (x, y) => Math.abs(Math.hypot(x - 20, y - 20) - 10) < 1.5 },
      ]),
    ],
  ];
  for (const [name, img] of cases)
    for (const options of [{}, { output: "polygons" }] as const)
      it(`${name} ${JSON.stringify(options)}`, () => {
        const { svg } = tracer.traceRgba(img, options);
        const opaque = (x: number, y: number) => img.data[(y * img.width + x) * 4 + 3]! > 250;
        expect(uncoveredPixels(svg, img.width, img.height, opaque)).toEqual([]);
      });
});
