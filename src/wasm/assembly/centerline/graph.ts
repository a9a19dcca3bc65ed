// Centerline stage 3, the skeleton as a graph: nodes are line ends (one neighbour) and junctions (8-
// connected clusters of pixels with three or more neighbours); edges are the chains of two-neighbour
// pixels between them, or closed loops without any node (an "o"). Then spurs are pruned (a branch from
// a junction to a free end shorter than the line is wide is thinning noise at a corner or line end),
// nodes left with two edges are joined away, and junctions closer than the lines are wide become one
// (a thick "x" thins to two forks joined by a short bridge).
import { neighbourCount, neighbourOffsets } from "./skeleton";
import { rowTick } from "../env";

export class Node {
  /** image position (pixel centres at +0.5) */
  x: f64 = 0;
  y: f64 = 0;
  /** pixels merged into it (centroid weight) */
  weight: f64 = 0;
  /** half the line width around it: the largest distance to the ground over its pixels */
  radius: f64 = 0;
  /** edge ends at this node: edge * 2 (its start) or edge * 2 + 1 (its end) */
  ends: Array<i32> = new Array<i32>();
  /** strokes that pass through it (joined arms), by index */
  through: Array<i32> = new Array<i32>();
  alive: bool = true;
}

export class Edge {
  /** padded grid indices from the end at `a` to the end at `b` (node pixels excluded) */
  pts: Array<i32> = new Array<i32>();
  a: i32 = -1;
  b: i32 = -1;
  /** a closed loop: no nodes, pts run around once */
  loop: bool = false;
  alive: bool = true;
}

export class Graph {
  nodes: Array<Node> = new Array<Node>();
  edges: Array<Edge> = new Array<Edge>();
  pw: i32 = 0;

  @inline nodeAt(e: Edge, side: i32): i32 {
    return side == 0 ? e.a : e.b;
  }
  /** the image position of padded index p */
  @inline px(p: i32): f64 {
    return <f64>(p % this.pw) - 0.5;
  }
  @inline py(p: i32): f64 {
    return <f64>(p / this.pw) - 0.5;
  }
  degree(n: i32): i32 {
    return this.nodes[n].ends.length;
  }
  /** Euclidean length of an edge along its pixels */
  length(e: Edge): f64 {
    let pts = e.pts;
    let len: f64 = 0;
    for (let i = 1; i < pts.length; i++) {
      let dx = this.px(pts[i]) - this.px(pts[i - 1]);
      let dy = this.py(pts[i]) - this.py(pts[i - 1]);
      len += Math.sqrt(dx * dx + dy * dy);
    }
    // the steps into its end nodes
    if (e.a >= 0 && pts.length > 0) len += dist(this.nodes[e.a], this.px(pts[0]), this.py(pts[0]));
    if (e.b >= 0 && pts.length > 0)
      len += dist(this.nodes[e.b], this.px(pts[pts.length - 1]), this.py(pts[pts.length - 1]));
    if (pts.length == 0 && e.a >= 0 && e.b >= 0)
      len += dist(this.nodes[e.a], this.nodes[e.b].x, this.nodes[e.b].y);
    return len;
  }
}

@inline function dist(n: Node, x: f64, y: f64): f64 {
  let dx = n.x - x;
  let dy = n.y - y;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * Builds the graph of the padded skeleton `sk`. `ids` (i32 per padded pixel) is scratch: node id of
 * node pixels, -2 for visited chain pixels. `dt` (f32 per image pixel) gives the nodes' radius.
 */
export function buildGraph(sk: usize, w: i32, h: i32, ids: usize, dt: usize): Graph {
  let g = new Graph();
  let pw = w + 2;
  g.pw = pw;
  let nb = neighbourOffsets(pw);
  let total = pw * (h + 2);
  for (let p = 0; p < total; p++) store<i32>(ids + (<usize>p << 2), -1);
  // nodes: clusters of pixels with 0, 1 or 3+ neighbours
  let stack = new Array<i32>();
  for (let y = 1; y <= h; y++) {
    rowTick(y);
    for (let x = 1; x <= w; x++) {
      let p = y * pw + x;
      if (load<u8>(sk + <usize>p) == 0 || load<i32>(ids + (<usize>p << 2)) != -1) continue;
      if (neighbourCount(sk, p, nb) == 2) continue;
      let id = g.nodes.length;
      let node = new Node();
      g.nodes.push(node);
      stack.push(p);
      store<i32>(ids + (<usize>p << 2), id);
      let sx: f64 = 0;
      let sy: f64 = 0;
      while (stack.length > 0) {
        let q = stack.pop();
        sx += g.px(q);
        sy += g.py(q);
        node.weight += 1;
        let r = <f64>load<f32>(dt + (<usize>((q / pw - 1) * w + (q % pw - 1)) << 2));
        if (r > node.radius) node.radius = r;
        // a line end (one neighbour) is a node of its own; junction pixels cluster
        if (neighbourCount(sk, q, nb) < 3) continue;
        for (let k = 0; k < 8; k++) {
          let j = q + unchecked(nb[k]);
          if (load<u8>(sk + <usize>j) == 0 || load<i32>(ids + (<usize>j << 2)) != -1) continue;
          if (neighbourCount(sk, j, nb) < 3) continue;
          store<i32>(ids + (<usize>j << 2), id);
          stack.push(j);
        }
      }
      node.x = sx / node.weight;
      node.y = sy / node.weight;
    }
  }
  // edges from every node pixel into each chain not yet walked
  for (let y = 1; y <= h; y++) {
    rowTick(y);
    for (let x = 1; x <= w; x++) {
      let p = y * pw + x;
      let id = load<i32>(ids + (<usize>p << 2));
      if (id < 0) continue;
      for (let k = 0; k < 8; k++) {
        let q = p + unchecked(nb[k]);
        if (load<u8>(sk + <usize>q) == 0) continue;
        let qid = load<i32>(ids + (<usize>q << 2));
        if (qid == -2 || qid == id) continue;
        if (qid >= 0) {
          // two nodes side by side (a line end next to a junction): an edge without pixels, once
          if (qid > id) addEdge(g, new Array<i32>(), id, qid);
          continue;
        }
        let pts = new Array<i32>();
        let end = walk(sk, ids, nb, p, q, pts);
        addEdge(g, pts, id, end);
      }
    }
  }
  // closed loops without a node
  for (let y = 1; y <= h; y++) {
    for (let x = 1; x <= w; x++) {
      let p = y * pw + x;
      if (load<u8>(sk + <usize>p) == 0 || load<i32>(ids + (<usize>p << 2)) != -1) continue;
      let pts = new Array<i32>();
      store<i32>(ids + (<usize>p << 2), -2);
      pts.push(p);
      // first neighbour, then follow
      let q = -1;
      for (let k = 0; k < 8 && q < 0; k++) {
        let j = p + unchecked(nb[k]);
        if (load<u8>(sk + <usize>j) != 0) q = j;
      }
      if (q >= 0 && load<i32>(ids + (<usize>q << 2)) == -1) walk(sk, ids, nb, p, q, pts);
      let e = new Edge();
      e.pts = pts;
      e.loop = true;
      g.edges.push(e);
    }
  }
  return g;
}

/**
 * Follows a chain of two-neighbour pixels from node pixel `from` through `q`, appending them to pts;
 * returns the node id it ends at (-1 when it comes back around to a visited chain pixel).
 */
function walk(sk: usize, ids: usize, nb: StaticArray<i32>, from: i32, q: i32, pts: Array<i32>): i32 {
  let prev = from;
  let cur = q;
  while (true) {
    let id = load<i32>(ids + (<usize>cur << 2));
    if (id >= 0) return id;
    if (id == -2) return -1;
    store<i32>(ids + (<usize>cur << 2), -2);
    pts.push(cur);
    let next = -1;
    for (let k = 0; k < 8; k++) {
      let j = cur + unchecked(nb[k]);
      if (j == prev || load<u8>(sk + <usize>j) == 0) continue;
      // a node pixel wins over a chain pixel (never step past the node the chain ends at)
      if (load<i32>(ids + (<usize>j << 2)) >= 0) {
        next = j;
        break;
      }
      if (next < 0) next = j;
    }
    if (next < 0) return -1;
    prev = cur;
    cur = next;
  }
  return -1;
}

function addEdge(g: Graph, pts: Array<i32>, a: i32, b: i32): void {
  let e = new Edge();
  e.pts = pts;
  e.a = a;
  e.b = b;
  let id = g.edges.length;
  g.edges.push(e);
  g.nodes[a].ends.push(id * 2);
  if (b >= 0) g.nodes[b].ends.push(id * 2 + 1);
  else e.b = -1;
}

function removeEnd(n: Node, end: i32): void {
  let i = n.ends.indexOf(end);
  if (i >= 0) n.ends.splice(i, 1);
}

function killEdge(g: Graph, e: i32): void {
  let edge = g.edges[e];
  edge.alive = false;
  if (edge.a >= 0) removeEnd(g.nodes[edge.a], e * 2);
  if (edge.b >= 0) removeEnd(g.nodes[edge.b], e * 2 + 1);
}

/**
 * Removes spurs: an edge from a junction to a free end that is shorter than `factor` x the junction's
 * radius + `extra` px. Repeats until nothing changes (a removed spur can turn its junction into a
 * plain node, which `joinThrough` then dissolves).
 */
export function pruneSpurs(g: Graph, factor: f64, extra: f64): void {
  let changed = true;
  let rounds = 0;
  while (changed && rounds < 64) {
    changed = false;
    rounds++;
    for (let e = 0; e < g.edges.length; e++) {
      let edge = g.edges[e];
      if (!edge.alive || edge.loop || edge.a < 0 || edge.b < 0) continue;
      if (edge.a == edge.b) {
        // a loop from a junction back to it around a hole smaller than the line: thinning noise
        if (g.length(edge) <= factor * g.nodes[edge.a].radius * 2 + extra) {
          killEdge(g, e);
          changed = true;
        }
        continue;
      }
      let da = g.degree(edge.a);
      let db = g.degree(edge.b);
      let free = da == 1 ? edge.a : db == 1 ? edge.b : -1;
      let junction = free == edge.a ? edge.b : edge.a;
      if (free < 0 || g.degree(junction) < 3) continue;
      if (g.length(edge) > factor * g.nodes[junction].radius + extra) continue;
      killEdge(g, e);
      g.nodes[free].alive = false;
      g.nodes[free].ends.length = 0;
      changed = true;
    }
    joinThrough(g);
  }
}

/** A node with exactly two edge ends joins them into one edge (or closes a loop onto itself). */
export function joinThrough(g: Graph): void {
  for (let n = 0; n < g.nodes.length; n++) {
    let node = g.nodes[n];
    if (!node.alive || node.ends.length != 2) continue;
    let e1 = node.ends[0] >> 1;
    let e2 = node.ends[1] >> 1;
    let s1 = node.ends[0] & 1;
    let s2 = node.ends[1] & 1;
    let a = g.edges[e1];
    let b = g.edges[e2];
    node.alive = false;
    node.ends.length = 0;
    // the node's own pixel position is between the two chains: keep it as the nearest chain pixel
    let mid = nearestPixel(g, node);
    if (e1 == e2) {
      // both ends of one edge: a closed loop through the node
      if (mid >= 0) a.pts.push(mid);
      a.loop = true;
      a.a = -1;
      a.b = -1;
      continue;
    }
    // a runs into the node, b runs out of it
    if (s1 == 0) reverseEdge(g, e1);
    if (s2 == 1) reverseEdge(g, e2);
    if (mid >= 0) a.pts.push(mid);
    for (let i = 0; i < b.pts.length; i++) a.pts.push(b.pts[i]);
    let far = b.b;
    a.b = far;
    if (far >= 0) {
      let fn = g.nodes[far];
      let i = fn.ends.indexOf(e2 * 2 + 1);
      if (i >= 0) fn.ends[i] = e1 * 2 + 1;
    }
    b.alive = false;
    b.pts = new Array<i32>();
    // a was its own far end's other side: if both ends now meet one node twice, so be it (a loop)
  }
}

/** the padded index of the pixel nearest the node's centroid */
function nearestPixel(g: Graph, node: Node): i32 {
  let x = <i32>Math.round(node.x + 0.5);
  let y = <i32>Math.round(node.y + 0.5);
  return y * g.pw + x;
}

/** flips an edge's direction (points and ends), keeping the nodes' end references true */
export function reverseEdge(g: Graph, e: i32): void {
  let edge = g.edges[e];
  edge.pts.reverse();
  let a = edge.a;
  let b = edge.b;
  if (a >= 0) {
    let na = g.nodes[a];
    let i = na.ends.indexOf(e * 2);
    if (i >= 0) na.ends[i] = -1;
  }
  if (b >= 0) {
    let nb = g.nodes[b];
    let i = nb.ends.indexOf(e * 2 + 1);
    if (i >= 0) nb.ends[i] = e * 2;
  }
  if (a >= 0) {
    let na = g.nodes[a];
    let i = na.ends.indexOf(-1);
    if (i >= 0) na.ends[i] = e * 2 + 1;
  }
  edge.a = b;
  edge.b = a;
}

/**
 * Merges junctions joined by an edge shorter than `factor` x their radii's sum + `extra` px into one
 * node at their weighted centroid.
 */
export function mergeJunctions(g: Graph, factor: f64, extra: f64): void {
  for (let e = 0; e < g.edges.length; e++) {
    let edge = g.edges[e];
    if (!edge.alive || edge.loop || edge.a < 0 || edge.b < 0 || edge.a == edge.b) continue;
    let na = g.nodes[edge.a];
    let nbn = g.nodes[edge.b];
    if (na.ends.length < 3 || nbn.ends.length < 3) continue;
    if (g.length(edge) > factor * (na.radius + nbn.radius) + extra) continue;
    killEdge(g, e);
    let keep = edge.a;
    let wsum = na.weight + nbn.weight;
    na.x = (na.x * na.weight + nbn.x * nbn.weight) / wsum;
    na.y = (na.y * na.weight + nbn.y * nbn.weight) / wsum;
    na.weight = wsum;
    if (nbn.radius > na.radius) na.radius = nbn.radius;
    for (let i = 0; i < nbn.ends.length; i++) {
      let end = nbn.ends[i];
      let other = g.edges[end >> 1];
      if ((end & 1) == 0) other.a = keep;
      else other.b = keep;
      na.ends.push(end);
    }
    nbn.ends.length = 0;
    nbn.alive = false;
  }
}

/** the unit direction of an edge leaving its node at `side`, measured between arc lengths from..to */
export function armDirection(g: Graph, e: i32, side: i32, from: f64, to: f64): StaticArray<f64> {
  let edge = g.edges[e];
  let pts = edge.pts;
  let n = pts.length;
  let node = g.nodes[side == 0 ? edge.a : edge.b];
  let out = new StaticArray<f64>(2);
  if (n == 0) {
    let other = side == 0 ? edge.b : edge.a;
    if (other >= 0) {
      let dx = g.nodes[other].x - node.x;
      let dy = g.nodes[other].y - node.y;
      let l = Math.sqrt(dx * dx + dy * dy);
      if (l > 0) {
        out[0] = dx / l;
        out[1] = dy / l;
      }
    }
    return out;
  }
  // walk away from the node
  let ax = node.x;
  let ay = node.y;
  let bx = node.x;
  let by = node.y;
  let s: f64 = 0;
  let px = node.x;
  let py = node.y;
  let haveA = false;
  for (let k = 0; k < n; k++) {
    let q = side == 0 ? pts[k] : pts[n - 1 - k];
    let x = g.px(q);
    let y = g.py(q);
    s += Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    px = x;
    py = y;
    if (!haveA && s >= from) {
      ax = x;
      ay = y;
      haveA = true;
    }
    bx = x;
    by = y;
    if (s >= to) break;
  }
  if (!haveA || (bx == ax && by == ay)) {
    ax = node.x;
    ay = node.y;
  }
  let dx = bx - ax;
  let dy = by - ay;
  let l = Math.sqrt(dx * dx + dy * dy);
  if (l > 0) {
    out[0] = dx / l;
    out[1] = dy / l;
  }
  return out;
}
