// Centerline colours: strokes and filled areas of nearly the same ink share one colour (within
// SAME_INK in Oklab, a running mean), so black line art comes out as one black, not a hundred near
// blacks; `colors` merges the closest colours until no more than that many are left, and `palette`
// snaps each to the nearest of the caller's colours.
import { okA, okB, okL, rgbToOklab } from "../color";
import { Options } from "../options";
import { nearestInPalette, packRgb } from "../snap";

const SAME_INK: f64 = 0.08;

export class InkColours {
  r: Array<f64> = new Array<f64>();
  g: Array<f64> = new Array<f64>();
  b: Array<f64> = new Array<f64>();
  w: Array<f64> = new Array<f64>();
  L: Array<f64> = new Array<f64>();
  A: Array<f64> = new Array<f64>();
  B: Array<f64> = new Array<f64>();
  /** what each entry became after merging (index of the entry it merged into) */
  to: Array<i32> = new Array<i32>();

  /** the entry for this colour (an existing one within SAME_INK, or a new one) */
  add(r: f64, g: f64, b: f64, weight: f64): i32 {
    rgbToOklab(r, g, b);
    let best = -1;
    let bd = SAME_INK * SAME_INK;
    for (let i = 0; i < this.r.length; i++) {
      if (this.to[i] != i) continue;
      let d = this.dist2(i, okL, okA, okB);
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    if (best >= 0) {
      let w = this.w[best] + weight;
      this.r[best] = (this.r[best] * this.w[best] + r * weight) / w;
      this.g[best] = (this.g[best] * this.w[best] + g * weight) / w;
      this.b[best] = (this.b[best] * this.w[best] + b * weight) / w;
      this.w[best] = w;
      this.lab(best);
      return best;
    }
    let i = this.r.length;
    this.r.push(r);
    this.g.push(g);
    this.b.push(b);
    this.w.push(weight);
    this.L.push(okL);
    this.A.push(okA);
    this.B.push(okB);
    this.to.push(i);
    return i;
  }

  @inline dist2(i: i32, l: f64, a: f64, b: f64): f64 {
    let dl = this.L[i] - l;
    let da = this.A[i] - a;
    let db = this.B[i] - b;
    return dl * dl + da * da + db * db;
  }

  lab(i: i32): void {
    rgbToOklab(this.r[i], this.g[i], this.b[i]);
    this.L[i] = okL;
    this.A[i] = okA;
    this.B[i] = okB;
  }

  /** merges the closest pair until at most `max` entries are left */
  limit(max: i32): void {
    if (max <= 0) return;
    while (this.live() > max) {
      let bi = -1;
      let bj = -1;
      let bd = Infinity;
      for (let i = 0; i < this.r.length; i++) {
        if (this.to[i] != i) continue;
        for (let j = i + 1; j < this.r.length; j++) {
          if (this.to[j] != j) continue;
          let d = this.dist2(i, this.L[j], this.A[j], this.B[j]);
          if (d < bd) {
            bd = d;
            bi = i;
            bj = j;
          }
        }
      }
      let w = this.w[bi] + this.w[bj];
      this.r[bi] = (this.r[bi] * this.w[bi] + this.r[bj] * this.w[bj]) / w;
      this.g[bi] = (this.g[bi] * this.w[bi] + this.g[bj] * this.w[bj]) / w;
      this.b[bi] = (this.b[bi] * this.w[bi] + this.b[bj] * this.w[bj]) / w;
      this.w[bi] = w;
      this.lab(bi);
      this.to[bj] = bi;
    }
  }

  live(): i32 {
    let n = 0;
    for (let i = 0; i < this.r.length; i++) if (this.to[i] == i) n++;
    return n;
  }

  /** the final colour of entry i (0xRRGGBB): after merging, snapped to the palette if there is one */
  final(i: i32, o: Options): i32 {
    let k = i;
    while (this.to[k] != k) k = this.to[k];
    if (o.paletteN > 0) return nearestInPalette(o, this.r[k], this.g[k], this.b[k]);
    return packRgb(this.r[k], this.g[k], this.b[k]);
  }

  /** how many different final colours there are */
  distinct(o: Options): i32 {
    let seen = new Set<i32>();
    for (let i = 0; i < this.r.length; i++) if (this.to[i] == i) seen.add(this.final(i, o));
    return seen.size;
  }
}
