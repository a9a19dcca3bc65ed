// Quality metrics: render an SVG back with resvg and compare it with the source composited on white.
// The metrics themselves (ΔE, SSIM, GMSD) are the worker's (src/vectorize/quality/metrics.ts), so the
// bench and the job's quality report count alike.
import { gzipSync } from "node:zlib";
import { Resvg } from "@resvg/resvg-js";
import { compositeOn, deltaE, gmsd, type Rgba, ssim } from "../../src/vectorize/quality/metrics";

export { compositeOn, deltaE, gmsd, type Rgba, ssim };

export function renderSvg(svg: string, width: number, height: number, background: string): Rgba {
  const r = new Resvg(svg, {
    background,
    fitTo: { mode: "width", value: width },
    font: { loadSystemFonts: false },
  });
  const img = r.render();
  if (img.width !== width || img.height !== height) {
    // aspect rounding: render at exact size through a wrapper
    const wrapped = svg
      .replace(/<svg([^>]*?)\swidth="[^"]*"/, "<svg$1")
      .replace(/<svg([^>]*?)\sheight="[^"]*"/, "<svg$1");
    const r2 = new Resvg(
      wrapped.replace("<svg", `<svg width="${width}" height="${height}" preserveAspectRatio="none"`),
      {
        background,
        fitTo: { mode: "original" },
        font: { loadSystemFonts: false },
      },
    );
    const i2 = r2.render();
    return { data: i2.pixels, width: i2.width, height: i2.height };
  }
  return { data: img.pixels, width: img.width, height: img.height };
}

/**
 * Uncovered pixels (the definition, so everyone counts alike): the SVG rendered on white and on
 * magenta at the source size; a pixel is uncovered where the source alpha is > 250 and the two renders
 * differ by more than 8 in the green channel. Returns counts so a set can be pixel-weighted.
 */
export function uncovered(src: Rgba, onWhite: Rgba, onMagenta: Rgba): { opaque: number; uncovered: number } {
  let opaque = 0;
  let bad = 0;
  for (let i = 0; i < src.width * src.height; i++) {
    if (src.data[i * 4 + 3]! <= 250) continue;
    opaque++;
    if (Math.abs(onWhite.data[i * 4 + 1]! - onMagenta.data[i * 4 + 1]!) > 8) bad++;
  }
  return { opaque, uncovered: bad };
}

export function svgSize(svg: string) {
  const bytes = Buffer.byteLength(svg);
  const gzip = gzipSync(svg, { level: 9 }).length;
  const paths = (svg.match(/<path\b/g) ?? []).length;
  let nums = 0;
  for (const m of svg.matchAll(/\sd="([^"]*)"/g))
    nums += (m[1]!.match(/-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?/gi) ?? []).length;
  return { bytes, gzip, paths, points: Math.round(nums / 2) };
}

export function quality(src: Rgba, svg: string) {
  const ref = compositeOn(src, 255, 255, 255);
  const onWhite = renderSvg(svg, src.width, src.height, "#ffffff");
  const onMagenta = renderSvg(svg, src.width, src.height, "#ff00ff");
  const de = deltaE(ref, onWhite);
  return {
    deMean: de.mean,
    deP95: de.p95,
    ssim: ssim(ref, onWhite),
    gmsd: gmsd(ref, onWhite),
    ...uncovered(src, onWhite, onMagenta),
    render: onWhite,
  };
}
