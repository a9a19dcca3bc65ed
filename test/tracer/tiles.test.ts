// Over the cap, colour (automatic palette) and binary traces run at full resolution in tiles of at
// most the cap (src/wasm/tiles.ts): the joined SVG covers every opaque pixel across the seams, keeps
// edges where the source has them, and is what the vector document reads.
import { describe, expect, it } from "vitest";
import { fromTracerSvg } from "../../src/vectorize/vector/document";
import { getTracer } from "../../src/wasm/index";
import { joinTiles, tileGrid } from "../../src/wasm/tiles";
import { uncoveredPixels } from "./geometry";
import { extent, parseSvg } from "./helpers";
import { bilinearRamp, drawn, image } from "./pixels";

const tracer = getTracer();

describe("tile grid", () => {
  it("covers the image exactly once with the fewest tiles of at most the cap", () => {
    for (const [w, h, cap] of [
      [4000, 4000, 4_000_000],
      [301, 97, 5000],
      [10, 5000, 999],
      [7, 7, 49],
    ] as const) {
      const rects = tileGrid(w, h, cap);
      const seen = new Uint8Array(w * h);
      for (const r of rects) {
        expect(r.width * r.height).toBeLessThanOrEqual(cap);
        for (let y = r.y; y < r.y + r.height; y++)
          for (let x = r.x; x < r.x + r.width; x++) seen[y * w + x]! += 1;
      }
      expect(seen.every((n) => n === 1)).toBe(true);
      expect(rects.length).toBeLessThanOrEqual(Math.ceil((w * h) / cap) * 2);
    }
    expect(tileGrid(4000, 4000, 4_000_000)).toHaveLength(4);
  });
});

describe("joining tiles", () => {
  it("moves each tile's paths (first move only) and paint servers to its place, ids made unique", () => {
    const tile =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">' +
      '<defs><linearGradient id="g0" gradientUnits="userSpaceOnUse" x1="1.5" y1="-1" x2="9" y2="2"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>' +
      '<path fill="url(#g0)" d="m-1-1h12v12h-12z"/><path fill="#f00" d="m2.5.5.5 1z"/></svg>';
    const svg = joinTiles(20, 10, [
      { rect: { x: 0, y: 0, width: 10, height: 10 }, svg: tile },
      { rect: { x: 10, y: 0, width: 10, height: 10 }, svg: tile },
    ]);
    expect(svg).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" viewBox="0 0 20 10">' +
        '<defs><linearGradient id="g0" gradientUnits="userSpaceOnUse" x1="1.5" y1="-1" x2="9" y2="2"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>' +
        '<path fill="url(#g0)" d="m-1 -1h12v12h-12z"/><path fill="#f00" d="m2.5 0.5 .5 1z"/>' +
        '<defs><linearGradient id="g1" gradientUnits="userSpaceOnUse" x1="11.5" y1="-1" x2="19" y2="2"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>' +
        '<path fill="url(#g1)" d="m9 -1h12v12h-12z"/><path fill="#f00" d="m12.5 0.5 .5 1z"/></svg>',
    );
    expect(fromTracerSvg(svg).gradients.map((g) => [g.id, g.x1])).toEqual([
      ["g0", 1.5],
      ["g1", 11.5],
    ]);
  });
});

describe("tracing over the cap in tiles", () => {
  // flat shapes with dark outlines across where the seams fall, on opaque ground
  const art = drawn(
    301,
    197,
    [250, 246, 227, 255],
    [
      { color: [20, 20, 20, 255], inside: (x, y) => Math.abs(Math.hypot(x - 150, y - 98) - 70) < 3 },
      { color: [230, 57, 70, 255], inside: (x, y) => Math.hypot(x - 150, y - 98) < 67 },
      { color: [42, 157, 143, 255], inside: (x, y) => x > 30 && x < 280 && Math.abs(y - 40) < 9 },
    ],
  );
  const cap = 12_000;
  // pixels within 3 px of a seam between tiles: what tiling adds to cover
  const seams = tileGrid(301, 197, cap);
  const nearSeam = (x: number, y: number) =>
    seams.some(
      (r) =>
        (r.x > 0 && Math.abs(x - r.x) <= 3 && y >= r.y && y < r.y + r.height) ||
        (r.y > 0 && Math.abs(y - r.y) <= 3 && x >= r.x && x < r.x + r.width),
    );

  it("colour: full resolution, every opaque pixel covered across the seams, deterministic", () => {
    const r = tracer.traceRgba(art, { maxPixels: cap });
    expect(r.stats.downscaled).toBe(false);
    expect([r.stats.tracedWidth, r.stats.tracedHeight]).toEqual([301, 197]);
    expect(r.stats.peakMemoryBytes).toBeGreaterThan(0);
    const svg = parseSvg(r.svg);
    expect([svg.vbW, svg.vbH]).toEqual([301, 197]);
    const e = extent(svg.paths.map((p) => p.d).join(""));
    expect([e.minX, e.minY]).toEqual([-1, -1]);
    expect(seams.length).toBe(6);
    expect(uncoveredPixels(r.svg, 301, 197, nearSeam)).toEqual([]);
    expect(fromTracerSvg(r.svg).layers.length).toBe(svg.paths.length);
    expect(tracer.traceRgba(art, { maxPixels: cap }).svg).toBe(r.svg);
  });

  it("the suspending trace (jobs) tiles alike and reports progress per tile", async () => {
    const stages: string[] = [];
    const r = await tracer.traceRgbaAsync(
      art,
      { maxPixels: cap },
      { onProgress: (p) => void stages.push(p.stage) },
    );
    expect(r.svg).toBe(tracer.traceRgba(art, { maxPixels: cap }).svg);
    expect(stages.filter((s, i) => s === "writing" && stages[i - 1] !== "writing").length).toBe(6);
  });

  it("binary tiles too; a colour count or palette, other modes, onOversize downscale and error do not", () => {
    const ink = image(240, 160, (x, y) =>
      ((x >> 3) + (y >> 3)) % 3 ? [255, 255, 255, 255] : [0, 0, 0, 255],
    );
    expect(tracer.traceRgba(ink, { mode: "binary", maxPixels: 10_000 }).stats.downscaled).toBe(false);
    for (const o of [
      { colors: 4 },
      { palette: ["#000000", "#ffffff"] },
      { mode: "posterize" },
      { mode: "centerline" },
      { onOversize: "downscale" },
    ])
      expect(tracer.traceRgba(ink, { ...o, maxPixels: 10_000 }).stats.downscaled).toBe(true);
    expect(() => tracer.traceRgba(ink, { maxPixels: 10_000, onOversize: "error" })).toThrow(/limit 10000/);
  });

  it("a bilinear ramp over the cap: each tile its own fill, ids unique, the document reads it", () => {
    const r = tracer.traceRgba(bilinearRamp(384, 320), { maxPixels: 40_000 });
    const doc = fromTracerSvg(r.svg);
    const ids = doc.gradients.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.gradients.length).toBeGreaterThanOrEqual(4);
    expect(doc.gradients.every((g) => g.kind === "bilinear")).toBe(true);
  });
});
