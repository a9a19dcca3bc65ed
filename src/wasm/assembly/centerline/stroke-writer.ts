// Centerline stage 7, stroke output: strokes of one colour and one width (to a tenth of a pixel of
// the output) share a `<path fill="none" stroke=… stroke-width=…>`, one open sub-path per stroke
// (closed with z for a loop), round caps and joins like a pen's.
import { Options } from "../options";
import { SvgWriter } from "../svg";
import { InkColours } from "./colours";
import { CurveFitter } from "./fit";
import { fitPoints } from "./points";
import { Stroke } from "./strokes";
import { tick } from "../env";

export function writeStrokes(
  strokes: Array<Stroke>,
  inkOf: Array<i32>,
  colours: InkColours,
  o: Options,
  fitter: CurveFitter,
  out: SvgWriter,
): void {
  let n = strokes.length;
  let scale = (out.scaleX + out.scaleY) / 2;
  let rgb = new Array<i32>(n);
  let tenth = new Array<i32>(n);
  // group by colour, then width; within a group the strokes keep the order they were found in
  // (one i64 key: colour 24 bits, width 19 bits, index 20 bits)
  let keys = new Array<i64>(n);
  for (let i = 0; i < n; i++) {
    rgb[i] = colours.final(inkOf[i], o);
    tenth[i] = min(max(1, <i32>Math.round(strokes[i].width * scale * 10)), (1 << 19) - 1);
    keys[i] = (<i64>rgb[i] << 39) | (<i64>tenth[i] << 20) | <i64>i;
  }
  keys.sort();
  let order = new Array<i32>(n);
  for (let i = 0; i < n; i++) order[i] = <i32>(keys[i] & 0xfffff);
  let xs = new Array<f64>();
  let ys = new Array<f64>();
  let i = 0;
  while (i < n) {
    let first = order[i];
    beginStroke(out, rgb[first], <f64>tenth[first] / 10);
    while (i < n && rgb[order[i]] == rgb[first] && tenth[order[i]] == tenth[first]) {
      tick();
      let s = strokes[order[i]];
      fitPoints(s, xs, ys);
      fitter.fit(xs, ys, s.closed);
      i++;
    }
    out.endPath();
  }
}

/** `<path fill="none" stroke="#rgb" stroke-width="w" stroke-linecap="round" stroke-linejoin="round" d="` */
function beginStroke(out: SvgWriter, rgb: i32, width: f64): void {
  out.str('<path fill="none" stroke="#');
  out.color((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
  out.str('" stroke-width="');
  out.dim(width);
  out.str('" stroke-linecap="round" stroke-linejoin="round" d="');
  out.startData();
}
