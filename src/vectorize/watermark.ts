/**
 * The watermark of `pricing: "test"` results (free, not for use): grey diagonal bands across the whole
 * picture, a stroke layer drawn on top, so every format written from the result carries it.
 */
import type { Layer } from "./vector/document";

const r1 = (v: number) => Math.round(v * 10) / 10;

export function watermarkLayer(width: number, height: number): Layer {
  const size = Math.max(width, height);
  const gap = size / 8;
  const parts: string[] = [];
  // lines at 45°, from the top edge down-left, spaced `gap` apart across width + height
  for (let x = gap / 2; x < width + height; x += gap)
    parts.push(`M${r1(x)} 0L${r1(x - height)} ${r1(height)}`);
  return {
    stroke: "#808080",
    strokeWidth: r1(Math.max(1, size / 60)),
    strokeOpacity: 0.45,
    d: parts.join(""),
  };
}
