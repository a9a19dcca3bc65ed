// Palette snapping (option `palette`): the result's colours are exactly the caller's. In colour and
// posterize modes the palette replaces the automatic one (pixels map to the nearest entry in Oklab,
// and with `colors` only the most used entries stay); in binary and centerline modes each ink takes
// the entry nearest to its own colour.
import { clamp255, okA, okB, okL, rgbToOklab } from "./color";
import { Options } from "./options";
import { Frame, TRANSPARENT } from "./prepare";
import { Palette } from "./quantize";

/** The caller's palette as the quantizer's (colours and their Oklab). */
export function setFixedPalette(o: Options, pal: Palette): void {
  pal.k = o.paletteN;
  for (let c = 0; c < pal.k; c++) setEntry(pal, c, o.paletteAt(c));
}

function setEntry(pal: Palette, c: i32, rgb: i32): void {
  let r = <f64>((rgb >> 16) & 255);
  let g = <f64>((rgb >> 8) & 255);
  let b = <f64>(rgb & 255);
  unchecked((pal.r[c] = r));
  unchecked((pal.g[c] = g));
  unchecked((pal.b[c] = b));
  unchecked((pal.a[c] = 255));
  rgbToOklab(r, g, b);
  unchecked((pal.L[c] = okL));
  unchecked((pal.A[c] = okA));
  unchecked((pal.B[c] = okB));
}

/**
 * After pixels were mapped to the caller's palette: the entries get their exact colours back (the
 * mapping averages pixels into them), and with `colors` below the palette's size only the `colors`
 * entries covering the most pixels stay; the others' pixels move to the nearest kept entry.
 */
export function keepFixedPalette(f: Frame, o: Options, pal: Palette): void {
  setFixedPalette(o, pal);
  if (o.colors <= 0 || o.colors >= pal.k) return;
  let count = new StaticArray<i32>(pal.k);
  for (let i = 0; i < f.n; i++) {
    let c = f.label(i);
    if (c != TRANSPARENT) unchecked((count[c] += 1));
  }
  let kept = new StaticArray<bool>(pal.k);
  for (let n = 0; n < o.colors; n++) {
    let best = -1;
    for (let c = 0; c < pal.k; c++) {
      if (unchecked(kept[c])) continue;
      if (best < 0 || unchecked(count[c]) > unchecked(count[best])) best = c;
    }
    unchecked((kept[best] = true));
  }
  let to = new StaticArray<i32>(pal.k);
  for (let c = 0; c < pal.k; c++) {
    unchecked((to[c] = c));
    if (unchecked(kept[c])) continue;
    let bd = Infinity;
    for (let k = 0; k < pal.k; k++) {
      if (!unchecked(kept[k])) continue;
      let dl = unchecked(pal.L[c]) - unchecked(pal.L[k]);
      let da = unchecked(pal.A[c]) - unchecked(pal.A[k]);
      let db = unchecked(pal.B[c]) - unchecked(pal.B[k]);
      let d = dl * dl + da * da + db * db;
      if (d < bd) {
        bd = d;
        unchecked((to[c] = k));
      }
    }
  }
  for (let i = 0; i < f.n; i++) {
    let c = f.label(i);
    if (c != TRANSPARENT) f.setLabel(i, unchecked(to[c]));
  }
}

/** The palette entry (0xRRGGBB) nearest in Oklab to the colour (r, g, b). */
export function nearestInPalette(o: Options, r: f64, g: f64, b: f64): i32 {
  rgbToOklab(r, g, b);
  let l = okL;
  let a = okA;
  let bb = okB;
  let best = o.paletteAt(0);
  let bd = Infinity;
  for (let c = 0; c < o.paletteN; c++) {
    let rgb = o.paletteAt(c);
    rgbToOklab(<f64>((rgb >> 16) & 255), <f64>((rgb >> 8) & 255), <f64>(rgb & 255));
    let dl = okL - l;
    let da = okA - a;
    let db = okB - bb;
    let d = dl * dl + da * da + db * db;
    if (d < bd) {
      bd = d;
      best = rgb;
    }
  }
  return best;
}

/** Binary mode: the ink (label 0) takes the palette entry nearest to the mean colour of its pixels. */
export function snapInk(f: Frame, o: Options, pal: Palette): void {
  let r: f64 = 0;
  let g: f64 = 0;
  let b: f64 = 0;
  let n: f64 = 0;
  for (let i = 0; i < f.n; i++) {
    if (f.label(i) != 0) continue;
    let p = f.rgba + (<usize>i << 2);
    r += <f64>load<u8>(p);
    g += <f64>load<u8>(p + 1);
    b += <f64>load<u8>(p + 2);
    n++;
  }
  if (n == 0) return;
  setEntry(pal, 0, nearestInPalette(o, r / n, g / n, b / n));
}

/** (r, g, b) as 0xRRGGBB */
@inline export function packRgb(r: f64, g: f64, b: f64): i32 {
  return (clamp255(r) << 16) | (clamp255(g) << 8) | clamp255(b);
}
