// What the pipeline looks like when stopped after a stage (Options.stopAfter): plain SVG of the label
// map, the layer masks (with their gradient fills after the gradients stage) or the lattice contours,
// for the per-stage golden tests and for debugging.
import { Contour, isContourStart, traceContour } from "./contour";
import { Frame } from "./prepare";
import { Palette } from "./quantize";
import { LayerMask } from "./segment";
import { SvgWriter } from "./svg";

/** after quantize: one path per label, a rectangle per horizontal run of pixels */
export function writeLabels(f: Frame, pal: Palette, out: SvgWriter): void {
  for (let c = 0; c < pal.k; c++) {
    let mark0 = out.len;
    let sub0 = out.subpaths;
    out.beginPath(unchecked(pal.r[c]), unchecked(pal.g[c]), unchecked(pal.b[c]), unchecked(pal.a[c]));
    for (let y = 0; y < f.h; y++) {
      let x = 0;
      while (x < f.w) {
        if (f.label(y * f.w + x) != c) {
          x++;
          continue;
        }
        let x0 = x;
        while (x < f.w && f.label(y * f.w + x) == c) x++;
        run(out, x0, x, y);
      }
    }
    if (out.subpaths == sub0) out.len = mark0;
    else out.endPath();
  }
}

/** after segment: the layer's mask (its pixels, the extension under upper layers, filled holes) */
export function writeMask(m: LayerMask, out: SvgWriter): void {
  for (let y = 1; y < m.mh - 1; y++) {
    let x = 1;
    while (x < m.mw - 1) {
      if ((m.at(x, y) & 1) == 0) {
        x++;
        continue;
      }
      let x0 = x;
      while (x < m.mw - 1 && (m.at(x, y) & 1) != 0) x++;
      run(out, x0 - 1 + m.bx0, x - 1 + m.bx0, y - 1 + m.by0);
    }
  }
}

/** after contour: the lattice polygons of the layer, unfitted */
export function writeContours(m: LayerMask, ct: Contour, out: SvgWriter): void {
  for (let y = 1; y < m.mh - 1; y++) {
    for (let x = 1; x < m.mw - 1; x++) {
      if (!isContourStart(m, x, y)) continue;
      let n = traceContour(m, ct, x, y);
      if (n < 4) continue;
      let ox = <f64>(m.bx0 - 1);
      let oy = <f64>(m.by0 - 1);
      out.move(<f64>ct.x(0) + ox, <f64>ct.y(0) + oy);
      for (let i = 1; i < n; i++) out.line(<f64>ct.x(i) + ox, <f64>ct.y(i) + oy, i == n - 1);
      out.close();
    }
  }
}

function run(out: SvgWriter, x0: i32, x1: i32, y: i32): void {
  out.move(<f64>x0, <f64>y);
  out.line(<f64>x1, <f64>y, false);
  out.line(<f64>x1, <f64>(y + 1), false);
  out.line(<f64>x0, <f64>(y + 1), true);
  out.close();
}
