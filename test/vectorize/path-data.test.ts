// The one SVG path-data reader every writer uses: the tracer's compact relative form, and the rest of
// the grammar (absolute commands, implicit repeats, smooth curves, quadratics, arcs), exactly.
import { describe, expect, it } from "vitest";
import { flatten, flattenAdaptive, PathDataError, parsePathData } from "../../src/vectorize/vector/path-data";

describe("parsePathData", () => {
  it("reads the tracer's compact relative form into absolute segments", () => {
    expect(parsePathData("m10 20h5v-5l-1.5.5c1 1 2 2 3 3s1 1 2 0z")).toEqual([
      { op: "M", x: 10, y: 20 },
      { op: "L", x: 15, y: 20 },
      { op: "L", x: 15, y: 15 },
      { op: "L", x: 13.5, y: 15.5 },
      { op: "C", x1: 14.5, y1: 16.5, x2: 15.5, y2: 17.5, x: 16.5, y: 18.5 },
      // s mirrors the previous cubic's second control point about the pen
      { op: "C", x1: 17.5, y1: 19.5, x2: 17.5, y2: 19.5, x: 18.5, y: 18.5 },
      { op: "Z" },
    ]);
  });

  it("absolute commands, implicit repeats after a move, exponents, commas", () => {
    expect(parsePathData("M1,2 3,4 L5e1 6 Z m1 1")).toEqual([
      { op: "M", x: 1, y: 2 },
      { op: "L", x: 3, y: 4 },
      { op: "L", x: 50, y: 6 },
      { op: "Z" },
      { op: "M", x: 2, y: 3 },
    ]);
  });

  it("quadratics and arcs become cubics through the same end points", () => {
    const q = parsePathData("M0 0Q10 10 20 0T40 0");
    expect(q.map((s) => s.op)).toEqual(["M", "C", "C"]);
    expect(q[2]).toMatchObject({ x: 40, y: 0 });
    const a = parsePathData("M0 0A10 10 0 0 1 20 0");
    expect(a.at(-1)).toMatchObject({ op: "C", x: 20, y: 0 });
    // a half circle of radius 10: every point 10 from (10, 0)
    for (const p of flatten(a, 0.5)) {
      for (let i = 0; i < p.points.length; i += 2)
        expect(Math.hypot(p.points[i]! - 10, p.points[i + 1]!)).toBeCloseTo(10, 1);
    }
  });

  it("refuses what is not path data", () => {
    for (const bad of ["x10", "10 10", "M1", "M1 2 Q", "A1 1 0 2 0 3 3"])
      expect(() => parsePathData(bad.startsWith("A") ? `M0 0${bad}` : bad), bad).toThrow(PathDataError);
  });
});

describe("flattening", () => {
  it("adaptive: a straight cubic stays one chord, a curved one is within the tolerance", () => {
    const straight = flattenAdaptive(parsePathData("M0 0C10 0 20 0 30 0"), 0.1);
    expect(straight[0]!.points).toEqual([0, 0, 30, 0]);
    const arc = flattenAdaptive(parsePathData("M0 0A10 10 0 0 1 20 0"), 0.05);
    const pts = arc[0]!.points;
    for (let i = 0; i + 3 < pts.length; i += 2) {
      const mx = (pts[i]! + pts[i + 2]!) / 2;
      const my = (pts[i + 1]! + pts[i + 3]!) / 2;
      // each chord's middle is within the tolerance of the circle
      expect(10 - Math.hypot(mx - 10, my)).toBeLessThan(0.06);
    }
  });
});
