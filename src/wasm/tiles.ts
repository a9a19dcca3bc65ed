// Images over the `maxPixels` cap, traced at full resolution in tiles of at most the cap each (one
// at a time, so the tracer's memory is that of one capped trace) instead of once downscaled: edges
// stay where the source has them. Each tile's shapes reach 1 px past its border (as at any image
// border), so neighbouring tiles overlap and no seam lets the background through. The tiles' SVGs are
// joined here: their paths and paint servers moved to the tile's place, their ids made unique.
import type { TraceResult, TraceStats } from "./core";
import type { RgbaImage } from "./image";
import type { ResolvedTraceOptions } from "./options";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The fewest columns × rows of near-equal tiles, each of at most `cap` pixels, covering w × h. */
export function tileGrid(w: number, h: number, cap: number): Rect[] {
  let nx = 1;
  let ny = 1;
  while (Math.ceil(w / nx) * Math.ceil(h / ny) > cap) {
    if (Math.ceil(w / nx) >= Math.ceil(h / ny)) nx++;
    else ny++;
  }
  const tw = Math.ceil(w / nx);
  const th = Math.ceil(h / ny);
  const rects: Rect[] = [];
  for (let y = 0; y < h; y += th)
    for (let x = 0; x < w; x += tw)
      rects.push({ x, y, width: Math.min(tw, w - x), height: Math.min(th, h - y) });
  return rects;
}

/** Copies the `rect` of `src` into `out` (rect.width × rect.height RGBA). */
export function cropInto(src: RgbaImage, rect: Rect, out: Uint8Array): void {
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * src.width + rect.x) * 4;
    out.set(src.data.subarray(from, from + rect.width * 4), y * rect.width * 4);
  }
}

const NUM = "-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)";
const MOVE = new RegExp(`d="m(${NUM})[ ,]?(${NUM})(?=(.))`, "g");
const X_ATTR = new RegExp(` (x|x1|x2|cx)="(${NUM})"`, "g");
const Y_ATTR = new RegExp(` (y|y1|y2|cy)="(${NUM})"`, "g");
const ID = /(id="|url\(#)g(\d+)/g;
const n3 = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * One SVG of `width` × `height` from the tracer's SVGs of its tiles (in order: later tiles draw over
 * the 1 px that earlier ones reach into them). Path data is relative after its first `m`, so only that
 * moves; gradients, masks and patterns are in user space and move by their x/y attributes.
 */
export function joinTiles(width: number, height: number, tiles: Array<{ rect: Rect; svg: string }>): string {
  let base = 0;
  const bodies = tiles.map(({ rect, svg }) => {
    const body = svg.replace(/^<svg[^>]*>/, "").replace(/<\/svg>$/, "");
    let top = -1;
    const moved = body
      .replace(ID, (_, lead: string, n: string) => {
        top = Math.max(top, Number(n));
        return `${lead}g${Number(n) + base}`;
      })
      .replace(X_ATTR, (_, name: string, v: string) => ` ${name}="${n3(Number(v) + rect.x)}"`)
      .replace(Y_ATTR, (_, name: string, v: string) => ` ${name}="${n3(Number(v) + rect.y)}"`)
      .replace(MOVE, (_, x: string, y: string, next: string) => {
        // a digit or dot right after would run into the new number
        const sep = /[\d.]/.test(next) ? " " : "";
        return `d="m${n3(Number(x) + rect.x)} ${n3(Number(y) + rect.y)}${sep}`;
      });
    base += top + 1;
    return moved;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bodies.join("")}</svg>`;
}

/**
 * The tiles of an image over the cap that is traced in tiles (src/wasm/tiles.ts), or null: colour
 * mode with the automatic palette and binary mode, where every tile chooses alike (with `colors` or
 * `palette`, tiles would choose their colours apart, so those downscale).
 */
export function tilesOf(image: RgbaImage, opts: ResolvedTraceOptions, stopAfter: unknown): Rect[] | null {
  const pixels = image.width * image.height;
  if (!(pixels > opts.maxPixels && pixels <= opts.maxInputPixels) || opts.onOversize !== "tile") return null;
  if (stopAfter || opts.palette.length > 0) return null;
  if (!((opts.mode === "color" && opts.colors === 0) || opts.mode === "binary")) return null;
  return tileGrid(image.width, image.height, opts.maxPixels);
}

/** the tiles' traces as one: the joined SVG, counts summed, the largest memory */
export function joinResults(image: RgbaImage, rects: Rect[], parts: TraceResult[]): TraceResult {
  const svg = joinTiles(
    image.width,
    image.height,
    parts.map((p, i) => ({ rect: rects[i]!, svg: p.svg })),
  );
  const stats = parts.map((p) => p.stats);
  const sum = (f: (s: TraceStats) => number) => stats.reduce((n, s) => n + f(s), 0);
  const decode = stats[0]!.ms.decode;
  return {
    svg,
    stats: {
      ...stats[0]!,
      width: image.width,
      height: image.height,
      tracedWidth: image.width,
      tracedHeight: image.height,
      downscaled: false,
      colors: sum((s) => s.colors),
      paths: sum((s) => s.paths),
      subpaths: sum((s) => s.subpaths),
      points: sum((s) => s.points),
      bytes: svg.length,
      ms: {
        decode,
        quantize: sum((s) => s.ms.quantize),
        trace: sum((s) => s.ms.trace),
        write: sum((s) => s.ms.write),
        total: decode + sum((s) => s.ms.total - s.ms.decode),
      },
      peakMemoryBytes: Math.max(...stats.map((s) => s.peakMemoryBytes)),
    },
  };
}
