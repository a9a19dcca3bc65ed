// Centerline stage 4, junctions: at each junction the arms that continue each other (the straightest
// pairs, turning less than MAX_TURN) are joined, so a crossing is two strokes and a "T" is its bar
// plus a stem that ends on the bar's middle. Strokes are then read off the graph: from each free end
// through the joined junctions to the next free end, then the closed ones.
import { armDirection, Graph } from "./graph";

/** a point's role in fitting */
export const PT_LINE: u8 = 0;
/** near a junction: the other lines bend the skeleton and the profile there; not fitted */
export const PT_NEAR_JUNCTION: u8 = 1;
/** a junction a stroke ends at: fitted exactly where it is, never moved */
export const PT_ANCHOR: u8 = 2;

/** arms turning less than this (degrees) continue each other through a junction */
const MAX_TURN: f64 = 50;

export class Stroke {
  xs: Array<f64> = new Array<f64>();
  ys: Array<f64> = new Array<f64>();
  flags: Array<u8> = new Array<u8>();
  closed: bool = false;
  /** the junction its first / last point is an anchor at, or -1 */
  startNode: i32 = -1;
  endNode: i32 = -1;
  /** set by the profile stage */
  width: f64 = 0;
  r: f64 = 0;
  g: f64 = 0;
  b: f64 = 0;

  push(x: f64, y: f64, flag: u8): void {
    this.xs.push(x);
    this.ys.push(y);
    this.flags.push(flag);
  }
}

/** link[end] = the edge end it continues through its junction, or -1 */
export function pairArms(g: Graph): Int32Array {
  let link = new Int32Array(g.edges.length * 2);
  link.fill(-1);
  let minDot = Math.cos((MAX_TURN * Math.PI) / 180);
  for (let n = 0; n < g.nodes.length; n++) {
    let node = g.nodes[n];
    let k = node.ends.length;
    if (!node.alive || k < 3) continue;
    let r = node.radius;
    let dx = new Array<f64>(k);
    let dy = new Array<f64>(k);
    for (let i = 0; i < k; i++) {
      let end = node.ends[i];
      let d = armDirection(g, end >> 1, end & 1, r + 1, r + 1 + max(4.0, 2 * r));
      dx[i] = d[0];
      dy[i] = d[1];
    }
    let paired = new Array<bool>(k);
    // greedy: the straightest remaining pair first
    while (true) {
      let bi = -1;
      let bj = -1;
      let best = minDot;
      for (let i = 0; i < k; i++) {
        if (paired[i]) continue;
        for (let j = i + 1; j < k; j++) {
          if (paired[j]) continue;
          // the two ends of one edge (a loop through the junction) can continue each other too
          let s = -(dx[i] * dx[j] + dy[i] * dy[j]);
          if (s > best) {
            best = s;
            bi = i;
            bj = j;
          }
        }
      }
      if (bi < 0) break;
      paired[bi] = true;
      paired[bj] = true;
      link[node.ends[bi]] = node.ends[bj];
      link[node.ends[bj]] = node.ends[bi];
    }
  }
  return link;
}

/** every stroke of the graph, open ones first (in the order their free ends were found) */
export function collectStrokes(g: Graph, link: Int32Array): Array<Stroke> {
  let strokes = new Array<Stroke>();
  let used = new Array<bool>(g.edges.length);
  for (let e = 0; e < g.edges.length; e++) {
    let edge = g.edges[e];
    if (!edge.alive || edge.loop) continue;
    for (let side = 0; side < 2; side++) {
      if (used[e] || link[e * 2 + side] >= 0) continue;
      strokes.push(follow(g, link, used, e, side, false, strokes.length));
    }
  }
  // what is left is closed: cycles through joined junctions, and loops without a node
  for (let e = 0; e < g.edges.length; e++) {
    let edge = g.edges[e];
    if (!edge.alive || used[e]) continue;
    if (edge.loop) {
      used[e] = true;
      let s = new Stroke();
      s.closed = true;
      for (let i = 0; i < edge.pts.length; i++) s.push(g.px(edge.pts[i]), g.py(edge.pts[i]), PT_LINE);
      strokes.push(s);
      continue;
    }
    strokes.push(follow(g, link, used, e, 0, true, strokes.length));
  }
  return strokes;
}

/** walks from edge e's end `side` through joined junctions until a free end (or back to the start) */
function follow(
  g: Graph,
  link: Int32Array,
  used: Array<bool>,
  e0: i32,
  side0: i32,
  closed: bool,
  index: i32,
): Stroke {
  let s = new Stroke();
  s.closed = closed;
  let e = e0;
  let side = side0;
  // the free end the stroke starts at
  if (!closed) s.startNode = endPoint(g, s, g.nodeAt(g.edges[e], side));
  while (true) {
    used[e] = true;
    let edge = g.edges[e];
    let from = g.nodeAt(edge, side);
    let to = g.nodeAt(edge, 1 - side);
    let n = edge.pts.length;
    for (let k = 0; k < n; k++) {
      let q = side == 0 ? edge.pts[k] : edge.pts[n - 1 - k];
      let x = g.px(q);
      let y = g.py(q);
      s.push(x, y, nearJunction(g, from, x, y) || nearJunction(g, to, x, y) ? PT_NEAR_JUNCTION : PT_LINE);
    }
    let next = link[e * 2 + (1 - side)];
    if (next < 0 || (closed && next >> 1 == e0) || used[next >> 1]) {
      if (!closed) s.endNode = endPoint(g, s, to);
      break;
    }
    g.nodes[to].through.push(index);
    e = next >> 1;
    side = next & 1;
  }
  return s;
}

/**
 * a free end: a line end is the end pixel itself; a junction is an anchor (returns the junction,
 * else -1), placed exactly by `placeAnchors` once the lines are refined
 */
function endPoint(g: Graph, s: Stroke, n: i32): i32 {
  if (n < 0) return -1;
  let node = g.nodes[n];
  let junction = node.ends.length >= 3;
  s.push(node.x, node.y, junction ? PT_ANCHOR : PT_LINE);
  return junction ? n : -1;
}

function nearJunction(g: Graph, n: i32, x: f64, y: f64): bool {
  if (n < 0) return false;
  let node = g.nodes[n];
  if (node.ends.length < 3) return false;
  let r = 1.5 * node.radius + 1;
  let dx = x - node.x;
  let dy = y - node.y;
  return dx * dx + dy * dy < r * r;
}
