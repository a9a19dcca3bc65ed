// Stage 1, prepare: the decoded RGBA pixels (decoding itself happens in the host), the per-pixel
// buffers every later stage shares, and the thin-feature map. Alpha < 128 is transparent and never
// painted, except on thin strokes (see markThin).

import { pixelTick, rowTick } from "./env";

export const TRANSPARENT: i32 = 255;

const DX4: StaticArray<i32> = [-1, 1, 0, 0];
const DY4: StaticArray<i32> = [0, 0, -1, 1];

export class Frame {
  w: i32;
  h: i32;
  n: i32;
  /** input, w*h*4 bytes, straight alpha */
  rgba: usize;
  /** u8 per pixel: palette index or TRANSPARENT */
  lab: usize;
  /** u8 scratch of (w+2)*(h+2) bytes (component marks, layer masks) */
  mark: usize;
  /** i32 scratch of (w+2)*(h+2) entries (flood-fill queues) */
  queue: usize;
  /** u8 per pixel: contrast of a 1-3 px stroke through the pixel against its flanks, 0 = none */
  thin: usize;

  constructor(rgba: usize, w: i32, h: i32) {
    this.w = w;
    this.h = h;
    this.n = w * h;
    this.rgba = rgba;
    this.lab = heap.alloc(<usize>this.n);
    let padded = <usize>(w + 2) * <usize>(h + 2);
    this.mark = heap.alloc(padded);
    this.queue = heap.alloc(padded * 4);
    this.thin = heap.alloc(<usize>this.n);
  }

  @inline alpha(i: i32): i32 {
    return <i32>load<u8>(this.rgba + (<usize>i << 2) + 3);
  }
  @inline label(i: i32): i32 {
    return <i32>load<u8>(this.lab + <usize>i);
  }
  @inline setLabel(i: i32, c: i32): void {
    store<u8>(this.lab + <usize>i, <u8>c);
  }

  /**
   * Uniform translucency: 16 <= alpha <= 250 with a 4-neighbour within 12 of it; a neighbour that is
   * neither similar nor transparent (alpha < 16), e.g. an opaque shape beside the translucent one, must
   * have a similar pixel opposite it. The ramp at an anti-aliased edge of an opaque shape (opaque on one
   * side, transparent on the other) is not uniform. Such pixels become shapes with fill-opacity.
   */
  translucent(x: i32, y: i32): bool {
    let a = this.alpha(y * this.w + x);
    if (a < 16 || a > 250) return false;
    let same = 0;
    for (let k = 0; k < 4; k++) {
      let b = this.alphaOr(x + unchecked(DX4[k]), y + unchecked(DY4[k]), -1);
      if (b < 0) continue;
      if (abs(b - a) <= 12) same++;
      else if (b >= 16) {
        let o = this.alphaOr(x - unchecked(DX4[k]), y - unchecked(DY4[k]), -1);
        if (o < 0 || abs(o - a) > 12) return false;
      }
    }
    return same > 0;
  }

  /** alpha at (x, y), or `outside` past the border */
  @inline alphaOr(x: i32, y: i32, outside: i32): i32 {
    return x < 0 || y < 0 || x >= this.w || y >= this.h ? outside : this.alpha(y * this.w + x);
  }

  @inline thinAt(i: i32): i32 {
    return <i32>load<u8>(this.thin + <usize>i);
  }

  dispose(): void {
    heap.free(this.thin);
    heap.free(this.lab);
    heap.free(this.mark);
    heap.free(this.queue);
  }
}

// ---------------------------------------------------------------- thin features
// A pixel is on a thin feature when, along some direction (horizontal, vertical or diagonal), a run of
// 1-3 pixels starting at it differs from both flanks while the flanks match each other: a stroke, not
// a step between two regions. Colours are compared premultiplied, so a stroke on transparency (where
// the stroke lives in alpha) counts like one on an opaque ground.
const MIN_STROKE_CONTRAST: i32 = 40;
/** premultiplied distance within which two stroke pixels are the same ink */
const SAME_INK: i32 = 48;

@inline function pm(f: Frame, i: i32, c: i32): i32 {
  let p = f.rgba + (<usize>i << 2);
  let a = <i32>load<u8>(p + 3);
  if (c == 3) return a;
  return (<i32>load<u8>(p + <usize>c) * a + 127) / 255;
}

@inline export function pmDist(f: Frame, i: i32, j: i32): i32 {
  let u = load<u32>(f.rgba + (<usize>i << 2));
  let v = load<u32>(f.rgba + (<usize>j << 2));
  if (u == v) return 0;
  if ((u >>> 24) == 255 && (v >>> 24) == 255) {
    // both opaque (most pixels): premultiplied is the colour itself
    let d = abs(<i32>(u & 255) - <i32>(v & 255));
    d = max(d, abs(<i32>((u >>> 8) & 255) - <i32>((v >>> 8) & 255)));
    return max(d, abs(<i32>((u >>> 16) & 255) - <i32>((v >>> 16) & 255)));
  }
  let d = abs(pm(f, i, 3) - pm(f, j, 3));
  d = max(d, abs(pm(f, i, 0) - pm(f, j, 0)));
  d = max(d, abs(pm(f, i, 1) - pm(f, j, 1)));
  return max(d, abs(pm(f, i, 2) - pm(f, j, 2)));
}

export function markThin(f: Frame): void {
  let w = f.w;
  let h = f.h;
  memory.fill(f.thin, 0, <usize>f.n);
  for (let y = 0; y < h; y++) {
    rowTick(y);
    for (let x = 0; x < w; x++) {
      let i = y * w + x;
      // quick reject: a stroke pixel differs from at least one 4-neighbour
      let near = 0;
      if (x > 0) near = max(near, pmDist(f, i, i - 1));
      if (x + 1 < w) near = max(near, pmDist(f, i, i + 1));
      if (y > 0) near = max(near, pmDist(f, i, i - w));
      if (y + 1 < h) near = max(near, pmDist(f, i, i + w));
      if (near < MIN_STROKE_CONTRAST) continue;
      let best = 0;
      for (let dir = 0; dir < 4; dir++) {
        let dx = dir == 1 ? 0 : 1;
        let dy = dir == 0 ? 0 : dir == 3 ? -1 : 1;
        let ax = x - dx;
        let ay = y - dy;
        if (ax < 0 || ay < 0 || ax >= w || ay >= h) continue;
        let a = ay * w + ax;
        for (let run = 1; run <= 3; run++) {
          let bx = x + dx * run;
          let by = y + dy * run;
          if (bx < 0 || by < 0 || bx >= w || by >= h) break;
          let b = by * w + bx;
          let c = min(pmDist(f, i, a), pmDist(f, i, b));
          let flanks = pmDist(f, a, b);
          if (c >= MIN_STROKE_CONTRAST && flanks * 2 <= c) best = max(best, c - flanks);
        }
      }
      if (best > 0) store<u8>(f.thin + <usize>i, <u8>min(best, 255));
    }
  }
}

/** the strongest stroke pixel of its 3x3 neighbourhood (a stroke's core, not its anti-aliased side) */
export function isStrokeCore(f: Frame, x: i32, y: i32): bool {
  let t = f.thinAt(y * f.w + x);
  if (t == 0) return false;
  for (let j = max(0, y - 1); j <= min(f.h - 1, y + 1); j++)
    for (let i = max(0, x - 1); i <= min(f.w - 1, x + 1); i++) if (f.thinAt(j * f.w + i) > t) return false;
  return true;
}

/**
 * Strokes traced at the coverage level: a stroke pixel whose colour lies between that of the strongest
 * stroke pixel within 2 px (its core) and the ground's takes the core's label when its contrast is at
 * least half the core's, else the ground's label (a neighbour off the stroke). An anti-aliased 1-3 px
 * line then keeps an 8-connected core of its own colour instead of breaking into dashes of ink, mixed
 * colours and ground, and leaves no halo of mixed colours (on transparency, its faint pixels join it).
 */
export function inkStrokes(f: Frame): void {
  let n = f.n;
  let w = f.w;
  let h = f.h;
  memory.fill(f.mark, 0, <usize>n);
  for (let s = 0; s < n; s++) {
    pixelTick(s);
    if (f.thinAt(s) == 0 || load<u8>(f.mark + <usize>s) != 0) continue;
    // the stroke: 8-connected stroke pixels
    store<u8>(f.mark + <usize>s, 1);
    store<i32>(f.queue, s);
    let qh = 0;
    let qt = 1;
    while (qh < qt) {
      let p = load<i32>(f.queue + (<usize>qh << 2));
      qh++;
      let x = p % w;
      let y = p / w;
      for (let yy = max(0, y - 1); yy <= min(h - 1, y + 1); yy++) {
        for (let xx = max(0, x - 1); xx <= min(w - 1, x + 1); xx++) {
          let j = yy * w + xx;
          if (f.thinAt(j) == 0 || load<u8>(f.mark + <usize>j) != 0) continue;
          store<u8>(f.mark + <usize>j, 1);
          store<i32>(f.queue + (<usize>qt << 2), j);
          qt++;
        }
      }
    }
    // its strongest core
    let cc = -1;
    let cm = 0;
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(f.queue + (<usize>q << 2));
      let t = f.thinAt(p);
      if (t > cm && f.label(p) != TRANSPARENT && isStrokeCore(f, p % w, p / w)) {
        cm = t;
        cc = p;
      }
    }
    for (let q = 0; q < qt; q++) inkPixel(f, load<i32>(f.queue + (<usize>q << 2)), cc);
    if (cc < 0) continue;
    // where the line crosses from one pixel column (or row) to the next, both pixels can be under half
    // covered: the faint one that joins two pieces of ink joins the ink
    let ink = f.label(cc);
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(f.queue + (<usize>q << 2));
      let t = f.thinAt(p);
      if (f.label(p) == ink || t * 4 < cm || pmDist(f, p, cc) > cm - t + SAME_INK) continue;
      if (joinsPieces(f, p, ink)) f.setLabel(p, ink);
    }
  }
}

// neighbours in ring order: N, NE, E, SE, S, SW, W, NW
export const RING_X: StaticArray<i32> = [0, 1, 1, 1, 0, -1, -1, -1];
export const RING_Y: StaticArray<i32> = [-1, -1, 0, 1, 1, 1, 0, -1];

/** whether the pixels labelled `c` around p form two or more 8-connected pieces (p would join them) */
function joinsPieces(f: Frame, p: i32, c: i32): bool {
  let x = p % f.w;
  let y = p / f.w;
  let bits = 0;
  for (let k = 0; k < 8; k++) {
    let xx = x + unchecked(RING_X[k]);
    let yy = y + unchecked(RING_Y[k]);
    if (xx >= 0 && yy >= 0 && xx < f.w && yy < f.h && f.label(yy * f.w + xx) == c) bits |= 1 << k;
  }
  return ringPieces(bits) >= 2;
}

/**
 * How many 8-connected pieces the set neighbours of a pixel form (`bits`: bit k = ring neighbour k, in
 * RING_X/RING_Y order): runs of set bits around the ring, where an edge neighbour (even k) also links
 * the two edge neighbours beside it across the corner between them (N and E touch diagonally).
 */
export function ringPieces(bits: i32): i32 {
  let seen = 0;
  let pieces = 0;
  for (let k = 0; k < 8; k++) {
    if ((bits & (1 << k)) == 0 || (seen & (1 << k)) != 0) continue;
    pieces++;
    // flood within the ring
    let stack = 1 << k;
    while (stack != 0) {
      let j = ctz(stack);
      stack &= ~(1 << j);
      if ((seen & (1 << j)) != 0) continue;
      seen |= 1 << j;
      let nb = (1 << ((j + 1) & 7)) | (1 << ((j + 7) & 7));
      if ((j & 1) == 0) nb |= (1 << ((j + 2) & 7)) | (1 << ((j + 6) & 7));
      stack |= nb & bits & ~seen;
    }
  }
  return pieces;
}

function inkPixel(f: Frame, i: i32, cc: i32): void {
  let w = f.w;
  let h = f.h;
  let x = i % w;
  let y = i / w;
  let t = f.thinAt(i);
  let mx = 0;
  let mi = -1;
  for (let yy = max(0, y - 2); yy <= min(h - 1, y + 2); yy++) {
    for (let xx = max(0, x - 2); xx <= min(w - 1, x + 2); xx++) {
      let j = yy * w + xx;
      let tj = f.thinAt(j);
      if (tj > mx && f.label(j) != TRANSPARENT && isStrokeCore(f, xx, yy)) {
        mx = tj;
        mi = j;
      }
    }
  }
  if (mi < 0) return;
  // one label along a stroke of one colour (the quantizer may have split its shades): its strongest core's
  let ink = f.label(mi);
  if (cc >= 0 && pmDist(f, mi, cc) <= SAME_INK) ink = f.label(cc);
  if (mi == i) {
    f.setLabel(i, ink);
    return;
  }
  if (f.label(i) == ink) return;
  // a partial of this stroke: about (1 - coverage) x contrast away from its core
  if (pmDist(f, i, mi) > mx - t + SAME_INK) return;
  if (t * 2 >= mx) {
    f.setLabel(i, ink);
    return;
  }
  // mostly ground: the label of the neighbour off the stroke that is most unlike the stroke
  let g = -1;
  let gd = -1;
  for (let yy = max(0, y - 1); yy <= min(h - 1, y + 1); yy++) {
    for (let xx = max(0, x - 1); xx <= min(w - 1, x + 1); xx++) {
      let j = yy * w + xx;
      if (f.thinAt(j) != 0 || f.label(j) == ink) continue;
      let d = pmDist(f, j, mi);
      if (d > gd) {
        gd = d;
        g = f.label(j);
      }
    }
  }
  if (g >= 0) f.setLabel(i, g);
}
