// Palette control (issue 16, point 2): `colors` is honoured exactly, `palette` snaps the output to the
// caller's colours.
import { describe, expect, it } from "vitest";
import { getTracer, resolveOptions, TraceError, traceOptionsSchema } from "../../src/wasm/index";
import { fillsAt, polygons } from "./geometry";
import { parseSvg } from "./helpers";
import { drawn, type Px } from "./pixels";

const tracer = getTracer();
const WHITE: Px = [255, 255, 255, 255];

// twelve well-separated colours, one disc each, on white
const INKS: Px[] = [
  [230, 25, 75, 255],
  [60, 180, 75, 255],
  [255, 225, 25, 255],
  [0, 130, 200, 255],
  [245, 130, 48, 255],
  [145, 30, 180, 255],
  [70, 240, 240, 255],
  [240, 50, 230, 255],
  [210, 245, 60, 255],
  [250, 190, 212, 255],
  [0, 128, 128, 255],
  [170, 110, 40, 255],
];
const discs = drawn(
  120,
  90,
  WHITE,
  INKS.map((color, i) => ({
    color,
    inside: (x: number, y: number) =>
      Math.hypot(x - (15 + (i % 4) * 30), y - (15 + Math.floor(i / 4) * 30)) < 12,
  })),
);
const fills = (svg: string) => new Set(parseSvg(svg).paths.map((p) => p.fill));
const rgb = (fill: string) => {
  const six = fill.length === 4 ? fill.replace(/[0-9a-f]/g, (d) => d + d).slice(1) : fill.slice(1);
  return [0, 2, 4].map((i) => Number.parseInt(six.slice(i, i + 2), 16));
};

describe("colors", () => {
  for (const mode of ["color", "posterize"] as const)
    it(`${mode}: exactly as many colours as asked, never more`, () => {
      for (let n = 2; n <= 13; n++) {
        const { svg, stats } = tracer.traceRgba(discs, { mode, colors: n });
        // 13 colours in the image (12 inks and white): below that, exactly n; above, all there are
        expect(fills(svg).size, `${mode} colors ${n}`).toBe(Math.min(n, 13));
        expect(stats.colors).toBe(Math.min(n, 13));
      }
    });
});

describe("palette", () => {
  const palette = ["#ff0000", "#00ff00", "#0000ff", "#ffffff", "#000000"];

  it("every colour of the result is a palette colour, each region the nearest one", () => {
    const { svg, stats } = tracer.traceRgba(discs, { palette });
    const used = fills(svg);
    for (const f of used) expect(palette.map((p) => p.replace(/^#(.)\1(.)\2(.)\3$/, "#$1$2$3"))).toContain(f);
    expect(stats.colors).toBe(used.size);
    // each region takes the nearest palette colour: the red disc red, the ground white
    const shapes = polygons(svg);
    const top = (x: number, y: number) => fillsAt(shapes, x, y).at(-1)?.fill;
    expect(top(15, 15)).toBe("#f00");
    expect(top(2, 2)).toBe("#fff");
  });

  it("with `colors`, only that many palette colours: the most used", () => {
    const { svg } = tracer.traceRgba(discs, { palette, colors: 2 });
    const used = fills(svg);
    expect(used.size).toBe(2);
    // white (the ground) covers the most pixels
    expect(used.has("#fff")).toBe(true);
  });

  it("posterize and binary modes snap too", () => {
    for (const f of fills(tracer.traceRgba(discs, { mode: "posterize", palette }).svg))
      expect(["#f00", "#0f0", "#00f", "#fff", "#000"]).toContain(f);
    // binary: the ink takes the palette colour nearest to it
    const ink = drawn(64, 64, WHITE, [
      { color: [20, 20, 140, 255], inside: (x, y) => Math.hypot(x - 32, y - 32) < 20 },
    ]);
    const bin = parseSvg(tracer.traceRgba(ink, { mode: "binary", palette: ["#ff0000", "#1010a0"] }).svg);
    expect(bin.paths.map((p) => p.fill)).toEqual(["#1010a0"]);
  });

  it("the result's colours are exactly the caller's, not averages of the pixels", () => {
    const near = drawn(64, 64, WHITE, [
      { color: [250, 10, 5, 255], inside: (x, y) => Math.hypot(x - 32, y - 32) < 20 },
    ]);
    const { svg } = tracer.traceRgba(near, { palette: ["#ff0000", "#ffffff"] });
    expect([...fills(svg)].sort()).toEqual(["#f00", "#fff"]);
    expect(rgb("#f00")).toEqual([255, 0, 0]);
  });

  it("is validated: #RRGGBB strings, 1 to 64 of them; duplicates count once", () => {
    expect(traceOptionsSchema.safeParse({ palette: ["#abc"] }).success).toBe(false);
    expect(traceOptionsSchema.safeParse({ palette: ["red"] }).success).toBe(false);
    expect(traceOptionsSchema.safeParse({ palette: [] }).success).toBe(false);
    expect(traceOptionsSchema.safeParse({ palette: Array(65).fill("#000000") }).success).toBe(false);
    expect(() => resolveOptions({ palette: ["#12345g"] })).toThrow(TraceError);
    expect(resolveOptions({ palette: ["#FF0000", "#ff0000", "#00ff00"] }).palette).toEqual([
      0xff0000, 0x00ff00,
    ]);
  });
});
