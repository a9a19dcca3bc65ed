// Stage 3, segment: regions and layers from the label map.
// - Speckle filter: 4-connected regions (8-connected along strokes) below `speckle` px join the neighbour they share most border with.
// - Optional white-background removal.
// - Layer order: bounding-box area, largest first (drawn first).
// - Layer masks: a layer = its pixels + 2 px under the layers drawn above it + holes that only contain
//   such pixels, so nothing can show through between shapes (stacked); exact regions in cutout mode.
import { MODE_BINARY, Options } from "./options";
import { Frame, TRANSPARENT } from "./prepare";
import { Palette } from "./quantize";
import { pixelTick, rowTick } from "./env";

export class Layers {
  /** emitted layers, bottom first */
  n: i32 = 0;
  order: StaticArray<i32> = new StaticArray<i32>(256);
  /** position in `order` by label; -1 for transparent or not emitted */
  rankOf: StaticArray<i32> = new StaticArray<i32>(256);
  count: StaticArray<i32> = new StaticArray<i32>(256);
  /** 1 for opaque labels; nothing extends under a translucent layer (it would show through) */
  solid: StaticArray<i32> = new StaticArray<i32>(256);
  emit: StaticArray<i32> = new StaticArray<i32>(256);
  x0: StaticArray<i32> = new StaticArray<i32>(256);
  y0: StaticArray<i32> = new StaticArray<i32>(256);
  x1: StaticArray<i32> = new StaticArray<i32>(256);
  y1: StaticArray<i32> = new StaticArray<i32>(256);
}

/**
 * One layer's mask in the frame's `mark` scratch: a padded (bw+2)x(bh+2) grid over the layer's bounding
 * box (+2 px), bit0 = inside. Pixel (x, y) of the image is at (x - bx0 + 1, y - by0 + 1).
 */
export class LayerMask {
  buf: usize = 0;
  mw: i32 = 0;
  mh: i32 = 0;
  bx0: i32 = 0;
  by0: i32 = 0;
  @inline at(x: i32, y: i32): i32 {
    return <i32>load<u8>(this.buf + <usize>(y * this.mw + x));
  }
}

// ---------------------------------------------------------------- o.speckle filter
// Connected components (4-neighbour) of equal label smaller than `o.speckle` pixels are merged
// into the neighbouring label they share the longest border with. Components are visited in raster
// order of their first pixel, and a merged speck's votes see the labels merged before it.
// Only specks need their pixels: a component is known to be big as soon as it has `speckle` pixels or
// touches a pixel known to be big, so the ground and large shapes are never walked whole (a row run of
// `speckle` equal labels is big from the start). Marks: 0 unseen, 1 a complete small component or
// queued, BIG part of a component of at least `speckle` pixels.
const votes = new StaticArray<i32>(256);
const BIG: u8 = 2;
export function despeckle(f: Frame, o: Options): void {
  let binary = o.mode == MODE_BINARY;
  if (o.speckle <= 1) return;
  memory.fill(f.mark, 0, <usize>f.n);
  markLongRuns(f, o.speckle);
  for (let s = 0; s < f.n; s++) {
    pixelTick(s);
    if (load<u8>(f.mark + <usize>s) != 0) continue;
    let c = <i32>load<u8>(f.lab + <usize>s);
    // BFS until the component is complete or known to be big
    store<u8>(f.mark + <usize>s, 1);
    store<i32>(f.queue, s);
    let qh = 0;
    let qt = 1;
    let big = false;
    while (qh < qt && !big) {
      let p = load<i32>(f.queue + (<usize>qh << 2));
      qh++;
      let y = p / f.w;
      let x = p - y * f.w;
      if (x > 0) qt = visit(f, p - 1, c, qt);
      if (x + 1 < f.w) qt = visit(f, p + 1, c, qt);
      if (y > 0) qt = visit(f, p - f.w, c, qt);
      if (y + 1 < f.h) qt = visit(f, p + f.w, c, qt);
      // along a stroke diagonal neighbours count too: a 1 px diagonal line is one region, not a row of
      // specks (elsewhere a diagonal chain is anti-aliasing between two regions, and goes). Binary
      // mode: black is 8-connected everywhere, its ground 4-connected (as the contours see them).
      let diagonal = binary ? c == 0 : f.thinAt(p) != 0;
      if (diagonal) {
        if (x > 0 && y > 0) qt = visitDiag(f, p - f.w - 1, c, qt, binary);
        if (x + 1 < f.w && y > 0) qt = visitDiag(f, p - f.w + 1, c, qt, binary);
        if (x > 0 && y + 1 < f.h) qt = visitDiag(f, p + f.w - 1, c, qt, binary);
        if (x + 1 < f.w && y + 1 < f.h) qt = visitDiag(f, p + f.w + 1, c, qt, binary);
      }
      // a negative count: a neighbour of the component is known to be big
      if (qt < 0 || qt >= o.speckle) big = true;
    }
    if (big) {
      if (qt < 0) qt = ~qt;
      for (let q = 0; q < qt; q++) store<u8>(f.mark + <usize>load<i32>(f.queue + (<usize>q << 2)), BIG);
      continue;
    }
    if (c == TRANSPARENT) continue;
    // votes from the border
    for (let k = 0; k < 256; k++) unchecked((votes[k] = 0));
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(f.queue + (<usize>q << 2));
      let y = p / f.w;
      let x = p - y * f.w;
      if (x > 0) vote(f, p - 1, c);
      if (x + 1 < f.w) vote(f, p + 1, c);
      if (y > 0) vote(f, p - f.w, c);
      if (y + 1 < f.h) vote(f, p + f.w, c);
    }
    let best = -1;
    let bv = 0;
    for (let k = 0; k < 255; k++) {
      let v = unchecked(votes[k]);
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    // only transparent around it: an opaque speck stays (every opaque pixel is painted)
    if (best < 0) continue;
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(f.queue + (<usize>q << 2));
      store<u8>(f.lab + <usize>p, <u8>best);
    }
  }
}
/** runs of at least `min` equal labels along a row belong to big components */
function markLongRuns(f: Frame, min: i32): void {
  for (let y = 0; y < f.h; y++) {
    let row = y * f.w;
    let x0 = 0;
    for (let x = 1; x <= f.w; x++) {
      if (x < f.w && load<u8>(f.lab + <usize>(row + x)) == load<u8>(f.lab + <usize>(row + x0))) continue;
      if (x - x0 >= min) memory.fill(f.mark + <usize>(row + x0), BIG, <usize>(x - x0));
      x0 = x;
    }
  }
}
/**
 * Queues an unseen pixel of label `c`; returns the new count, or its complement (negative) when the
 * pixel is of label `c` and known to be big.
 */
@inline function visit(f: Frame, p: i32, c: i32, qt: i32): i32 {
  if (qt < 0 || <i32>load<u8>(f.lab + <usize>p) != c) return qt;
  let m = load<u8>(f.mark + <usize>p);
  if (m == BIG) return ~qt;
  if (m != 0) return qt;
  store<u8>(f.mark + <usize>p, 1);
  store<i32>(f.queue + (<usize>qt << 2), p);
  return qt + 1;
}
@inline function visitDiag(f: Frame, p: i32, c: i32, qt: i32, binary: bool): i32 {
  return binary || f.thinAt(p) != 0 ? visit(f, p, c, qt) : qt;
}
@inline function vote(f: Frame, p: i32, c: i32): void {
  let l = <i32>load<u8>(f.lab + <usize>p);
  if (l != c) unchecked((votes[l] += 1));
}

// white background removal: near-white regions connected to the border become transparent
export function removeWhiteBackground(f: Frame, o: Options, pal: Palette): void {
  let isWhite = new StaticArray<bool>(256);
  for (let c = 0; c < pal.k; c++) {
    unchecked(
      (isWhite[c] = pal.r[c] >= 235 && pal.g[c] >= 235 && pal.b[c] >= 235 && (o.mode != MODE_BINARY || c == 1)),
    );
  }
  memory.fill(f.mark, 0, <usize>f.n);
  let qt = 0;
  for (let i = 0; i < f.n; i++) {
    let x = i % f.w;
    let y = i / f.w;
    if (x != 0 && y != 0 && x != f.w - 1 && y != f.h - 1) continue;
    if (unchecked(isWhite[<i32>load<u8>(f.lab + <usize>i)])) {
      store<u8>(f.mark + <usize>i, 1);
      store<i32>(f.queue + (<usize>qt << 2), i);
      qt++;
    }
  }
  let qh = 0;
  while (qh < qt) {
    let p = load<i32>(f.queue + (<usize>qh << 2));
    qh++;
    store<u8>(f.lab + <usize>p, TRANSPARENT);
    let x = p % f.w;
    let y = p / f.w;
    if (x > 0) qt = visitWhite(f, p - 1, isWhite, qt);
    if (x + 1 < f.w) qt = visitWhite(f, p + 1, isWhite, qt);
    if (y > 0) qt = visitWhite(f, p - f.w, isWhite, qt);
    if (y + 1 < f.h) qt = visitWhite(f, p + f.w, isWhite, qt);
  }
}
@inline function visitWhite(f: Frame, p: i32, isWhite: StaticArray<bool>, qt: i32): i32 {
  if (load<u8>(f.mark + <usize>p) == 0 && unchecked(isWhite[<i32>load<u8>(f.lab + <usize>p)])) {
    store<u8>(f.mark + <usize>p, 1);
    store<i32>(f.queue + (<usize>qt << 2), p);
    return qt + 1;
  }
  return qt;
}

// Layer order: bounding-box area desc, then pixel count desc, then label
export function computeLayers(f: Frame, o: Options, pal: Palette, ly: Layers): void {
  for (let c = 0; c < pal.k; c++) {
    unchecked((ly.count[c] = 0));
    unchecked((ly.x0[c] = f.w));
    unchecked((ly.y0[c] = f.h));
    unchecked((ly.x1[c] = -1));
    unchecked((ly.y1[c] = -1));
  }
  for (let y = 0; y < f.h; y++) {
    rowTick(y);
    for (let x = 0; x < f.w; x++) {
      let c = <i32>load<u8>(f.lab + <usize>(y * f.w + x));
      if (c == TRANSPARENT) continue;
      unchecked((ly.count[c] += 1));
      if (x < unchecked(ly.x0[c])) unchecked((ly.x0[c] = x));
      if (x > unchecked(ly.x1[c])) unchecked((ly.x1[c] = x));
      if (y < unchecked(ly.y0[c])) unchecked((ly.y0[c] = y));
      if (y > unchecked(ly.y1[c])) unchecked((ly.y1[c] = y));
    }
  }
  for (let c = 0; c < pal.k; c++) unchecked((ly.solid[c] = pal.a[c] >= 250 ? 1 : 0));
  // emit flags
  for (let c = 0; c < pal.k; c++) unchecked((ly.emit[c] = ly.count[c] > 0 && (o.mode != MODE_BINARY || c == 0) ? 1 : 0));
  // order: bounding-box area desc, then pixel count desc, then index
  let n = 0;
  for (let c = 0; c < pal.k; c++) if (unchecked(ly.emit[c]) != 0) unchecked((ly.order[n++] = c));
  for (let i = 1; i < n; i++) {
    let v = unchecked(ly.order[i]);
    let j = i;
    while (j > 0 && layerBefore(ly, v, unchecked(ly.order[j - 1]))) {
      unchecked((ly.order[j] = ly.order[j - 1]));
      j--;
    }
    unchecked((ly.order[j] = v));
  }
  for (let k = 0; k < 256; k++) unchecked((ly.rankOf[k] = -1));
  for (let i = 0; i < n; i++) unchecked((ly.rankOf[ly.order[i]] = i));
  ly.n = n;
}
function layerBefore(ly: Layers, a: i32, b: i32): bool {
  let aa = <i64>(unchecked(ly.x1[a]) - unchecked(ly.x0[a]) + 1) * <i64>(unchecked(ly.y1[a]) - unchecked(ly.y0[a]) + 1);
  let ab = <i64>(unchecked(ly.x1[b]) - unchecked(ly.x0[b]) + 1) * <i64>(unchecked(ly.y1[b]) - unchecked(ly.y0[b]) + 1);
  if (aa != ab) return aa > ab;
  if (unchecked(ly.count[a]) != unchecked(ly.count[b])) return unchecked(ly.count[a]) > unchecked(ly.count[b]);
  return a < b;
}

export function buildLayerMask(f: Frame, o: Options, ly: Layers, m: LayerMask, c: i32): void {
  let r = unchecked(ly.rankOf[c]);
  let ext = o.cutout ? 0 : 2;
  let x0 = max(0, unchecked(ly.x0[c]) - ext);
  let y0 = max(0, unchecked(ly.y0[c]) - ext);
  let x1 = min(f.w - 1, unchecked(ly.x1[c]) + ext);
  let y1 = min(f.h - 1, unchecked(ly.y1[c]) + ext);
  m.bx0 = x0;
  m.by0 = y0;
  let bw = x1 - x0 + 1;
  let bh = y1 - y0 + 1;
  m.mw = bw + 2;
  m.mh = bh + 2;
  m.buf = f.mark;
  memory.fill(f.mark, 0, <usize>(m.mw * m.mh));
  for (let y = 0; y < bh; y++) {
    let row = (y + y0) * f.w + x0;
    let mrow = (y + 1) * m.mw + 1;
    for (let x = 0; x < bw; x++) {
      if (<i32>load<u8>(f.lab + <usize>(row + x)) == c) store<u8>(f.mark + <usize>(mrow + x), 1);
    }
  }
  // the top layer has nothing above it: no extension and no fillable holes
  if (!o.cutout && r >= 0 && r < ly.n - 1) {
    // extend under the layers drawn above, so their anti-aliased / fitted edges never reveal a gap
    for (let pass = 0; pass < ext; pass++) {
      for (let y = 0; y < bh; y++) {
        let row = (y + y0) * f.w + x0;
        let mrow = (y + 1) * m.mw + 1;
        for (let x = 0; x < bw; x++) {
          let mi = mrow + x;
          if (load<u8>(f.mark + <usize>mi) != 0) continue;
          let l = <i32>load<u8>(f.lab + <usize>(row + x));
          if (unchecked(ly.rankOf[l]) <= r || unchecked(ly.solid[l]) == 0) continue;
          // any 8-neighbour inside (value 1 only: this pass's additions are 2)
          if (
            (<i32>load<u8>(f.mark + <usize>(mi - 1)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi + 1)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi - m.mw)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi + m.mw)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi - m.mw - 1)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi - m.mw + 1)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi + m.mw - 1)) & 1) != 0 ||
            (<i32>load<u8>(f.mark + <usize>(mi + m.mw + 1)) & 1) != 0
          )
            store<u8>(f.mark + <usize>mi, 2);
        }
      }
      for (let i = 0; i < m.mw * m.mh; i++) if (load<u8>(f.mark + <usize>i) == 2) store<u8>(f.mark + <usize>i, 1);
    }
    // fill holes that contain only pixels of layers drawn above
    // flood the outside (4-neighbour) from the padding
    let qt = 0;
    store<u8>(f.mark, 4);
    store<i32>(f.queue, 0);
    qt = 1;
    let qh = 0;
    while (qh < qt) {
      let p = load<i32>(f.queue + (<usize>qh << 2));
      qh++;
      let x = p % m.mw;
      let y = p / m.mw;
      if (x > 0) qt = visitBg(f, p - 1, qt);
      if (x + 1 < m.mw) qt = visitBg(f, p + 1, qt);
      if (y > 0) qt = visitBg(f, p - m.mw, qt);
      if (y + 1 < m.mh) qt = visitBg(f, p + m.mw, qt);
    }
    for (let y = 1; y <= bh; y++) {
      for (let x = 1; x <= bw; x++) {
        let s = y * m.mw + x;
        if (load<u8>(f.mark + <usize>s) != 0) continue;
        // a hole component
        store<u8>(f.mark + <usize>s, 4);
        store<i32>(f.queue, s);
        qt = 1;
        qh = 0;
        let fillable = true;
        while (qh < qt) {
          let p = load<i32>(f.queue + (<usize>qh << 2));
          qh++;
          let px = p % m.mw;
          let py = p / m.mw;
          let l = <i32>load<u8>(f.lab + <usize>((py - 1 + y0) * f.w + (px - 1 + x0)));
          if (unchecked(ly.rankOf[l]) <= r || unchecked(ly.solid[l]) == 0) fillable = false;
          qt = visitBg(f, p - 1, qt);
          qt = visitBg(f, p + 1, qt);
          qt = visitBg(f, p - m.mw, qt);
          qt = visitBg(f, p + m.mw, qt);
        }
        if (fillable) {
          for (let q = 0; q < qt; q++) store<u8>(f.mark + <usize>load<i32>(f.queue + (<usize>q << 2)), 1);
        }
      }
    }
    // clear the flood marks (keep bit 0)
    for (let i = 0; i < m.mw * m.mh; i++) store<u8>(f.mark + <usize>i, load<u8>(f.mark + <usize>i) & 1);
  }
}
@inline function visitBg(f: Frame, p: i32, qt: i32): i32 {
  if (load<u8>(f.mark + <usize>p) == 0) {
    store<u8>(f.mark + <usize>p, 4);
    store<i32>(f.queue + (<usize>qt << 2), p);
    return qt + 1;
  }
  return qt;
}
