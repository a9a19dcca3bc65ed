// Centerline quality: generated strokes with known centerlines (the tests' cases: straight, curved,
// crossing, T-junctions, 1-8 px), and lucide-static line-art icons drawn 2-4 px wide, rendered back
// and compared with the source (SSIM and GMSD as in the tracer bench), next to binary mode's outlines.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Tracer } from "../../src/wasm/shared";
import {
  centerlineCases,
  renderCase,
  scoreCenterline,
  tracedStrokes,
} from "../../test/tracer/centerline-cases";
import { lineArt } from "../tracer/images.mts";
import { quality, svgSize } from "../tracer/metrics.mts";

const require = createRequire(import.meta.url);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export function generatedStrokes(tracer: Tracer) {
  const rows = centerlineCases().map((c) => {
    const t0 = performance.now();
    const { svg } = tracer.traceRgba(renderCase(c), { mode: "centerline" });
    const ms = performance.now() - t0;
    const s = scoreCenterline(c, svg);
    return {
      name: c.name,
      kind: c.kind,
      width: c.width,
      meanDistance: s.meanDistance,
      maxDistance: s.maxDistance,
      missMax: s.missMax,
      paths: s.paths,
      strokes: s.strokes,
      widthError: mean(s.widths.map((w) => Math.abs(w - c.width))),
      ms,
    };
  });
  const byKind = [...new Set(rows.map((r) => r.kind))].map((kind) => {
    const k = rows.filter((r) => r.kind === kind);
    return {
      kind,
      cases: k.length,
      meanDistance: mean(k.map((r) => r.meanDistance)),
      worstMeanDistance: Math.max(...k.map((r) => r.meanDistance)),
      pathsPerStroke: k.reduce((a, r) => a + r.paths, 0) / k.reduce((a, r) => a + r.strokes, 0),
      exactPathCount: k.filter((r) => r.paths === r.strokes).length,
      widthError: mean(k.map((r) => r.widthError)),
    };
  });
  return { rows, byKind };
}

/** sub-paths an icon draws: each move of its paths, each line, circle, ellipse, rect and poly element */
function iconStrokes(svg: string): number {
  let n = 0;
  for (const m of svg.matchAll(/<path[^>]*\sd="([^"]*)"/g)) n += (m[1]!.match(/[Mm]/g) ?? []).length;
  n += (svg.match(/<(line|circle|ellipse|rect|polyline|polygon)\b/g) ?? []).length;
  return n;
}

export function lucideLineArt(tracer: Tracer, count: number) {
  const dir = path.join(path.dirname(require.resolve("lucide-static/package.json")), "icons");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".svg"))
    .sort();
  const step = Math.max(1, Math.floor(files.length / count));
  const rows = [];
  for (let i = 0; rows.length < count && i < files.length; i += step) {
    const f = files[i]!;
    const icon = readFileSync(path.join(dir, f), "utf8");
    const width: number = 2 + (rows.length % 3); // 2, 3, 4 px
    const src = lineArt(icon, 192, width, "#000000", true);
    const image = { data: new Uint8Array(src.data), width: src.width, height: src.height };
    const centre = tracer.traceRgba(image, { mode: "centerline" });
    const outline = tracer.traceRgba(image, { mode: "binary" });
    const qc = quality(src, centre.svg);
    const qo = quality(src, outline.svg);
    const drawn = iconStrokes(icon);
    const ours = tracedStrokes(centre.svg).reduce((a, t) => a + t.paths.length, 0);
    rows.push({
      icon: f.replace(/\.svg$/, ""),
      strokePx: width,
      iconSubpaths: drawn,
      centerlinePaths: ours,
      pathsPerSubpath: ours / Math.max(1, drawn),
      centerlineSsim: qc.ssim,
      centerlineGmsd: qc.gmsd,
      centerlineBytes: svgSize(centre.svg).bytes,
      binarySsim: qo.ssim,
      binaryGmsd: qo.gmsd,
      binaryBytes: svgSize(outline.svg).bytes,
    });
  }
  return rows;
}
