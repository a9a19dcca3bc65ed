// Centerline: where a stroke ending at a junction ends exactly. Its end is first the junction's
// skeleton pixels' centroid, up to a pixel off the other lines' middles. Once every line is refined,
// a stroke that ends on a line passing through (the stem of a "T") ends where its own direction meets
// that line's middle; strokes that all end at a junction with nothing passing through (a "Y") end at
// the point nearest to all their lines (least squares).
import { Graph } from "./graph";
import { PT_ANCHOR, PT_LINE, Stroke } from "./strokes";

/** how far along its refined middle an arm's direction is measured */
const ARM_SPAN: f64 = 6;

class Arm {
  stroke: i32 = 0;
  /** index of the anchor point in the stroke */
  at: i32 = 0;
  /** the refined point nearest the junction and the unit direction towards the junction */
  x: f64 = 0;
  y: f64 = 0;
  dx: f64 = 0;
  dy: f64 = 0;
}

export function placeAnchors(strokes: Array<Stroke>, g: Graph): void {
  let arms = new Map<i32, Array<Arm>>();
  for (let i = 0; i < strokes.length; i++) {
    let s = strokes[i];
    if (s.startNode >= 0) addArm(arms, s, i, s.startNode, 0, 1);
    if (s.endNode >= 0) addArm(arms, s, i, s.endNode, s.xs.length - 1, -1);
  }
  let nodes = arms.keys();
  for (let k = 0; k < nodes.length; k++) {
    let n = nodes[k];
    let list = arms.get(n);
    let node = g.nodes[n];
    let reach = 2 * node.radius + 3;
    if (node.through.length > 0) {
      for (let a = 0; a < list.length; a++) placeOnLine(list[a], strokes, node.through, node.x, node.y, reach);
    } else if (list.length >= 2) {
      leastSquares(list);
      let dx = hitX - node.x;
      let dy = hitY - node.y;
      if (hitOk && dx * dx + dy * dy <= reach * reach) {
        for (let a = 0; a < list.length; a++) {
          let s = strokes[list[a].stroke];
          s.xs[list[a].at] = hitX;
          s.ys[list[a].at] = hitY;
        }
      }
    }
  }
}

function addArm(arms: Map<i32, Array<Arm>>, s: Stroke, index: i32, node: i32, at: i32, step: i32): void {
  // the first refined point from the anchor, and one ARM_SPAN further along
  let i = at + step;
  while (i >= 0 && i < s.xs.length && s.flags[i] != PT_LINE) i += step;
  if (i < 0 || i >= s.xs.length) return;
  let j = i;
  let far = i;
  while (j >= 0 && j < s.xs.length) {
    if (s.flags[j] == PT_LINE) {
      far = j;
      let dx = s.xs[j] - s.xs[i];
      let dy = s.ys[j] - s.ys[i];
      if (dx * dx + dy * dy >= ARM_SPAN * ARM_SPAN) break;
    }
    j += step;
  }
  let dx = s.xs[i] - s.xs[far];
  let dy = s.ys[i] - s.ys[far];
  let l = Math.sqrt(dx * dx + dy * dy);
  if (l < 1) return;
  let arm = new Arm();
  arm.stroke = index;
  arm.at = at;
  arm.x = s.xs[i];
  arm.y = s.ys[i];
  arm.dx = dx / l;
  arm.dy = dy / l;
  if (!arms.has(node)) arms.set(node, new Array<Arm>());
  arms.get(node).push(arm);
}

let hitX: f64 = 0;
let hitY: f64 = 0;
let hitOk = false;

/**
 * Where the arm's line meets the other stroke's refined middle (its PT_LINE and anchor points as a
 * polyline) within `reach` of (cx, cy): the distance from (cx, cy), with the point in hitX/hitY;
 * Infinity when it does not.
 */
function meet(arm: Arm, other: Stroke, cx: f64, cy: f64, reach: f64): f64 {
  let best: f64 = Infinity;
  let px: f64 = 0;
  let py: f64 = 0;
  let have = false;
  let bx: f64 = 0;
  let by: f64 = 0;
  for (let i = 0; i < other.xs.length; i++) {
    let f = other.flags[i];
    if (f != PT_LINE && f != PT_ANCHOR) continue;
    let qx = other.xs[i];
    let qy = other.ys[i];
    if (have) {
      // segment (px, py)-(qx, qy) against the line arm + t * dir
      let ex = qx - px;
      let ey = qy - py;
      let den = arm.dx * ey - arm.dy * ex;
      if (Math.abs(den) > 1e-9) {
        let wx = px - arm.x;
        let wy = py - arm.y;
        let t = (wx * ey - wy * ex) / den;
        let u = (wx * arm.dy - wy * arm.dx) / den;
        if (u >= -0.01 && u <= 1.01 && t > -reach) {
          let ix = arm.x + t * arm.dx;
          let iy = arm.y + t * arm.dy;
          let d = Math.sqrt((ix - cx) * (ix - cx) + (iy - cy) * (iy - cy));
          if (d <= reach && d < best) {
            best = d;
            bx = ix;
            by = iy;
          }
        }
      }
    }
    px = qx;
    py = qy;
    have = true;
  }
  hitX = bx;
  hitY = by;
  return best;
}

/** moves the arm's anchor to where its line meets the nearest of the strokes passing through */
function placeOnLine(arm: Arm, strokes: Array<Stroke>, through: Array<i32>, cx: f64, cy: f64, reach: f64): void {
  let s = strokes[arm.stroke];
  let best: f64 = Infinity;
  let bx: f64 = 0;
  let by: f64 = 0;
  for (let t = 0; t < through.length; t++) {
    if (through[t] == arm.stroke) continue;
    let d = meet(arm, strokes[through[t]], cx, cy, reach);
    if (d < best) {
      best = d;
      bx = hitX;
      by = hitY;
    }
  }
  if (best == Infinity) return;
  s.xs[arm.at] = bx;
  s.ys[arm.at] = by;
}

/** the point nearest (least squares) to every arm's line, in hitX/hitY; hitOk when well defined */
function leastSquares(list: Array<Arm>): void {
  let a11: f64 = 0;
  let a12: f64 = 0;
  let a22: f64 = 0;
  let b1: f64 = 0;
  let b2: f64 = 0;
  for (let i = 0; i < list.length; i++) {
    let m = list[i];
    // projection onto the line's normal: I - d d^T
    let p11 = 1 - m.dx * m.dx;
    let p12 = -m.dx * m.dy;
    let p22 = 1 - m.dy * m.dy;
    a11 += p11;
    a12 += p12;
    a22 += p22;
    b1 += p11 * m.x + p12 * m.y;
    b2 += p12 * m.x + p22 * m.y;
  }
  let det = a11 * a22 - a12 * a12;
  hitOk = Math.abs(det) > 0.05;
  if (!hitOk) return;
  hitX = (a22 * b1 - a12 * b2) / det;
  hitY = (a11 * b2 - a12 * b1) / det;
}
