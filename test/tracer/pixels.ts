// Pixel builders shared by the tracer tests and the golden-file updater (no workerd imports here).
import type { RgbaImage } from "../../src/wasm/shared";

export type Px = [number, number, number, number];

export function image(width: number, height: number, f: (x: number, y: number) => Px): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 4);
  }
  return { data, width, height };
}

/** a ramp in two directions: red along x, green along y, blue along both (no single ramp explains it) */
export function bilinearRamp(width: number, height: number): RgbaImage {
  return image(width, height, (x, y) => {
    const u = x / (width - 1);
    const v = y / (height - 1);
    return [
      Math.round(40 + 180 * u),
      Math.round(50 + 150 * v - 60 * u * v),
      Math.round(230 - 170 * u * v),
      255,
    ];
  });
}

/** The share of pixel (x, y) a shape covers, from a 4x4 grid of samples. */
function coverage(inside: (x: number, y: number) => boolean, x: number, y: number): number {
  let cover = 0;
  for (let j = 0; j < 4; j++)
    for (let i = 0; i < 4; i++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) cover++;
  return cover / 16;
}

/**
 * Anti-aliased drawing: `shapes` are painted in order over `ground` (straight alpha, 0..255), each
 * pixel's coverage measured on a 4x4 grid of samples (deterministic, no renderer needed).
 */
export function drawn(
  width: number,
  height: number,
  ground: Px,
  shapes: Array<{ color: Px; inside: (x: number, y: number) => boolean }>,
): RgbaImage {
  return image(width, height, (x, y) => {
    let [r, g, b, a] = ground.map((v) => v / 255) as [number, number, number, number];
    for (const s of shapes) {
      const k = (coverage(s.inside, x, y) * s.color[3]) / 255;
      if (k === 0) continue;
      const na = k + a * (1 - k);
      const mix = (c: number, under: number) => (c * k + under * a * (1 - k)) / na;
      r = mix(s.color[0] / 255, r);
      g = mix(s.color[1] / 255, g);
      b = mix(s.color[2] / 255, b);
      a = na;
    }
    return [r, g, b, a].map((v) => Math.round(v * 255)) as Px;
  });
}

/** distance from (px, py) to the segment (x0, y0)-(x1, y1) */
export function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - x0 - t * dx, py - y0 - t * dy);
}
