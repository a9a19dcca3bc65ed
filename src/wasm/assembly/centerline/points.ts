// Which of a stroke's points the fit goes through.
import { PT_ANCHOR, PT_LINE, Stroke } from "./strokes";

/** its middle points and anchors; all of them (the skeleton as found) when fewer than two are left */
export function fitPoints(s: Stroke, xs: Array<f64>, ys: Array<f64>): void {
  xs.length = 0;
  ys.length = 0;
  for (let i = 0; i < s.xs.length; i++) {
    let flag = s.flags[i];
    if (flag == PT_LINE || flag == PT_ANCHOR) {
      xs.push(s.xs[i]);
      ys.push(s.ys[i]);
    }
  }
  if (xs.length >= 2 || s.xs.length < 2) return;
  xs.length = 0;
  ys.length = 0;
  for (let i = 0; i < s.xs.length; i++) {
    xs.push(s.xs[i]);
    ys.push(s.ys[i]);
  }
}
