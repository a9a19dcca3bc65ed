
import { rowTick } from "../env";// Exact Euclidean distance transform (Felzenszwalb & Huttenlocher: a lower envelope of parabolas per
// column, then per row). Centerline uses it for a line's half-width at its skeleton (distance to the
// nearest non-ink pixel) and to find areas wider than `maxStrokeWidth`.

const INF: f64 = 1e20;

/**
 * out (f32 per pixel) = distance from each pixel centre to the nearest pixel centre where
 * `feature` (u8 per pixel) equals `want`; with `borderIsFeature`, the pixels just outside the image
 * count as features (a line touching the border is as wide as what is inside).
 */
export function distanceTransform(
  feature: usize,
  want: u8,
  w: i32,
  h: i32,
  borderIsFeature: bool,
  out: usize,
): void {
  let len = max(w, h) + 2;
  let f = heap.alloc(<usize>len << 3);
  let d = heap.alloc(<usize>len << 3);
  let v = heap.alloc(<usize>len << 2);
  let z = heap.alloc(<usize>(len + 1) << 3);
  let g = heap.alloc((<usize>w * <usize>h) << 2); // f32 squared distances after the column pass (exact integers)
  // columns (with a feature row above and below when the border counts)
  let pad = borderIsFeature ? 1 : 0;
  for (let x = 0; x < w; x++) {
    rowTick(x);
    let m = h + 2 * pad;
    for (let k = 0; k < m; k++) {
      let y = k - pad;
      let isF = y < 0 || y >= h ? true : load<u8>(feature + <usize>(y * w + x)) == want;
      store<f64>(f + (<usize>k << 3), isF ? 0 : INF);
    }
    envelope(f, m, d, v, z);
    for (let y = 0; y < h; y++)
      store<f32>(g + (<usize>(y * w + x) << 2), <f32>load<f64>(d + (<usize>(y + pad) << 3)));
  }
  // rows
  for (let y = 0; y < h; y++) {
    rowTick(y);
    let m = w + 2 * pad;
    for (let k = 0; k < m; k++) {
      let x = k - pad;
      store<f64>(f + (<usize>k << 3), x < 0 || x >= w ? 0 : <f64>load<f32>(g + (<usize>(y * w + x) << 2)));
    }
    envelope(f, m, d, v, z);
    for (let x = 0; x < w; x++) {
      let s = load<f64>(d + (<usize>(x + pad) << 3));
      store<f32>(out + (<usize>(y * w + x) << 2), <f32>(s >= INF ? INF : Math.sqrt(s)));
    }
  }
  heap.free(f);
  heap.free(d);
  heap.free(v);
  heap.free(z);
  heap.free(g);
}

/** d[q] = min over p of (q - p)^2 + f[p], for q in 0..n */
function envelope(f: usize, n: i32, d: usize, v: usize, z: usize): void {
  let k = 0;
  // the first parabola with a finite value
  let first = 0;
  while (first < n && load<f64>(f + (<usize>first << 3)) >= INF) first++;
  if (first == n) {
    for (let q = 0; q < n; q++) store<f64>(d + (<usize>q << 3), INF);
    return;
  }
  store<i32>(v, first);
  store<f64>(z, -INF);
  store<f64>(z + 8, INF);
  for (let q = first + 1; q < n; q++) {
    let fq = load<f64>(f + (<usize>q << 3));
    if (fq >= INF) continue;
    let s: f64 = 0;
    while (true) {
      let p = load<i32>(v + (<usize>k << 2));
      let fp = load<f64>(f + (<usize>p << 3));
      s = (fq + <f64>q * <f64>q - (fp + <f64>p * <f64>p)) / (2 * <f64>(q - p));
      if (s <= load<f64>(z + (<usize>k << 3)) && k > 0) {
        k--;
        continue;
      }
      break;
    }
    k++;
    store<i32>(v + (<usize>k << 2), q);
    store<f64>(z + (<usize>k << 3), s);
    store<f64>(z + (<usize>(k + 1) << 3), INF);
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (load<f64>(z + (<usize>(k + 1) << 3)) < <f64>q) k++;
    let p = load<i32>(v + (<usize>k << 2));
    let dq = <f64>(q - p);
    store<f64>(d + (<usize>q << 3), dq * dq + load<f64>(f + (<usize>p << 3)));
  }
}
