// Centerline mode (issue 16, point 1): generated strokes with known centerlines, 1-8 px wide. Each
// stroke must come out as one open path along its middle (mean distance <= 0.5 px), stroked as wide
// as it was drawn; crossings stay two strokes, a T's stem ends on its bar.
import { describe, expect, it } from "vitest";
import { flatten, parsePathData } from "../../src/vectorize/vector/path-data";
import { getTracer } from "../../src/wasm/index";
import { centerlineCases, renderCase, scoreCenterline, tracedStrokes } from "./centerline-cases";
import { drawn, type Px, segmentDistance } from "./pixels";

const tracer = getTracer();
const WHITE: Px = [255, 255, 255, 255];
const CLEAR: Px = [0, 0, 0, 0];
const BLACK: Px = [0, 0, 0, 255];

const hex = (h: string) => {
  const six = h.length === 4 ? h.replace(/[0-9a-f]/g, (d) => d + d).slice(1) : h.slice(1);
  return [0, 2, 4].map((i) => Number.parseInt(six.slice(i, i + 2), 16));
};

describe("generated strokes: one path along the middle, as wide as drawn", () => {
  for (const c of centerlineCases()) {
    it(c.name, () => {
      const { svg } = tracer.traceRgba(renderCase(c), { mode: "centerline" });
      const score = scoreCenterline(c, svg);
      expect(score.meanDistance, "mean distance to the true centerline (px)").toBeLessThanOrEqual(0.5);
      expect(score.paths, "one path per stroke").toBe(score.strokes);
      // every part of every stroke is traced (ends less half a width: a round cap covers them)
      expect(score.missMax, "largest distance from the true centerline to ours (px)").toBeLessThanOrEqual(
        1.5,
      );
      for (const w of score.widths)
        expect(Math.abs(w - c.width)).toBeLessThanOrEqual(Math.max(0.5, c.width * 0.15));
      // open paths: a stroke is not an outline
      expect(svg).not.toMatch(/z/);
      expect(svg).not.toMatch(/<path fill="#/);
    });
  }
});

describe("centerline shapes", () => {
  const lines = (segs: number[][], width: number, ground = WHITE, color = BLACK) =>
    drawn(96, 96, ground, [
      {
        color,
        inside: (x, y) => segs.some((s) => segmentDistance(x, y, s[0]!, s[1]!, s[2]!, s[3]!) < width / 2),
      },
    ]);

  it("a Y: three strokes that end at one point, where their lines meet", () => {
    const centre = [48, 50];
    const arms = [90, 210, 330].map((deg) => {
      const a = (deg * Math.PI) / 180;
      return [centre[0]!, centre[1]!, centre[0]! + 36 * Math.cos(a), centre[1]! + 36 * Math.sin(a)];
    });
    const { svg } = tracer.traceRgba(lines(arms, 4), { mode: "centerline" });
    const paths = tracedStrokes(svg).flatMap((t) => t.paths);
    expect(paths).toHaveLength(3);
    const ends = paths.map((p) => {
      const n = p.points.length;
      const a = [p.points[0]!, p.points[1]!];
      const b = [p.points[n - 2]!, p.points[n - 1]!];
      return Math.hypot(a[0]! - 48, a[1]! - 50) < Math.hypot(b[0]! - 48, b[1]! - 50) ? a : b;
    });
    for (const e of ends) expect(Math.hypot(e[0]! - 48, e[1]! - 50)).toBeLessThan(1);
  });

  it("a ring is one closed path; a dot is a stroke of its own", () => {
    const img = drawn(96, 96, WHITE, [
      { color: BLACK, inside: (x, y) => Math.abs(Math.hypot(x - 40, y - 44) - 24) < 1.5 },
      { color: BLACK, inside: (x, y) => Math.hypot(x - 84, y - 84) < 2 },
    ]);
    const { svg } = tracer.traceRgba(img, { mode: "centerline" });
    const paths = tracedStrokes(svg).flatMap((t) => t.paths);
    expect(paths).toHaveLength(2);
    const ring = paths.find((p) => p.closed)!;
    expect(ring).toBeDefined();
    for (let i = 0; i < ring.points.length; i += 2)
      expect(Math.abs(Math.hypot(ring.points[i]! - 40, ring.points[i + 1]! - 44) - 24)).toBeLessThan(0.6);
  });

  it("strokes on transparency trace like strokes on white", () => {
    const segs = [[10, 20, 86, 70]];
    const a = scoreCenterline(
      { name: "t", kind: "straight", size: 96, width: 3, strokes: segs },
      tracer.traceRgba(lines(segs, 3, CLEAR), { mode: "centerline" }).svg,
    );
    expect(a.meanDistance).toBeLessThanOrEqual(0.5);
    expect(a.paths).toBe(1);
    expect(a.widths[0]).toBeCloseTo(3, 0);
  });

  it("each stroke keeps its own ink; `colors` and `palette` limit and snap them", () => {
    const img = drawn(96, 96, WHITE, [
      { color: [200, 30, 30, 255], inside: (x, y) => segmentDistance(x, y, 10, 20, 86, 20) < 1.5 },
      { color: [30, 60, 200, 255], inside: (x, y) => segmentDistance(x, y, 10, 70, 86, 70) < 1.5 },
      { color: [120, 10, 10, 255], inside: (x, y) => segmentDistance(x, y, 10, 45, 86, 45) < 1.5 },
    ]);
    const own = tracedStrokes(tracer.traceRgba(img, { mode: "centerline" }).svg);
    expect(own).toHaveLength(3);
    const [red, blue] = [own.find((s) => hex(s.color)[0]! > 150)!, own.find((s) => hex(s.color)[2]! > 150)!];
    expect(red && blue).toBeTruthy();
    expect(Math.max(...hex(red.color).map((v, i) => Math.abs(v - [200, 30, 30][i]!)))).toBeLessThan(40);
    expect(Math.max(...hex(blue.color).map((v, i) => Math.abs(v - [30, 60, 200][i]!)))).toBeLessThan(40);

    // the two reds are the closest pair: they merge first
    const two = tracer.traceRgba(img, { mode: "centerline", colors: 2 });
    const inks = new Set(tracedStrokes(two.svg).map((s) => s.color));
    expect(inks.size).toBe(2);
    expect(two.stats.colors).toBe(2);
    expect([...inks].some((c) => hex(c)[2]! > 150)).toBe(true);

    const snapped = tracer.traceRgba(img, { mode: "centerline", palette: ["#000000", "#ff0000", "#0000ff"] });
    expect(new Set(tracedStrokes(snapped.svg).map((s) => s.color))).toEqual(new Set(["#f00", "#00f"]));
    // 3 strokes, 2 colours: the dark red snaps to red
    expect(snapped.stats.colors).toBe(2);
  });

  it("areas wider than maxStrokeWidth are filled shapes under the strokes (fillWide), or strokes too", () => {
    const img = drawn(96, 96, WHITE, [
      { color: BLACK, inside: (x, y) => Math.hypot(x - 30, y - 48) < 16 },
      { color: BLACK, inside: (x, y) => segmentDistance(x, y, 44, 48, 90, 48) < 1.5 },
    ]);
    const filled = tracer.traceRgba(img, { mode: "centerline" }).svg;
    const fill = /<path fill="(#[0-9a-f]+)" d="([^"]*)"\/>/.exec(filled);
    expect(fill, filled).not.toBeNull();
    expect(filled.indexOf('<path fill="#')).toBeLessThan(filled.indexOf('fill="none"'));
    // the disc's outline, within a pixel of its edge
    for (const sub of flatten(parsePathData(fill![2]!), 0.5))
      for (let i = 0; i < sub.points.length; i += 2)
        expect(Math.abs(Math.hypot(sub.points[i]! - 30, sub.points[i + 1]! - 48) - 16)).toBeLessThan(1);
    const line = tracedStrokes(filled).flatMap((t) => t.paths);
    expect(line).toHaveLength(1);

    const strokesOnly = tracer.traceRgba(img, { mode: "centerline", fillWide: false }).svg;
    expect(strokesOnly).not.toMatch(/<path fill="#/);
    expect(tracedStrokes(strokesOnly).length).toBeGreaterThan(0);
    const wider = tracer.traceRgba(img, { mode: "centerline", maxStrokeWidth: 40 }).svg;
    expect(wider).not.toMatch(/<path fill="#/);
  });

  it("a downscaled trace writes widths and paths in the source's units", () => {
    const c = { name: "big", kind: "straight" as const, size: 96, width: 6, strokes: [[10, 30, 86, 60]] };
    const small = tracer.traceRgba(renderCase(c), { mode: "centerline", maxPixels: 48 * 48 });
    expect(small.stats.downscaled).toBe(true);
    const score = scoreCenterline(c, small.svg);
    expect(score.paths).toBe(1);
    expect(score.meanDistance).toBeLessThanOrEqual(1);
    expect(Math.abs(score.widths[0]! - 6)).toBeLessThanOrEqual(1);
  });

  it("nothing dark enough: an empty drawing, and `threshold` decides what is ink", () => {
    const grey = lines([[10, 48, 86, 48]], 3, WHITE, [150, 150, 150, 255]);
    expect(tracer.traceRgba(grey, { mode: "centerline" }).stats.paths).toBe(0);
    expect(tracedStrokes(tracer.traceRgba(grey, { mode: "centerline", threshold: 200 }).svg)).toHaveLength(1);
  });
});
