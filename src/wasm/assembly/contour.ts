// Stage 4, contour: crack following on a layer mask. Vertices are lattice points (pixel corners)
// where the direction turns, in mask coordinates. The inside is kept on the right, so outer loops run
// clockwise and holes counter-clockwise (the default non-zero fill rule needs no attribute).
import { LayerMask } from "./segment";

export class Contour {
  /** i32 pairs (x, y) */
  vtx: usize = 0;
  cap: i32 = 0;

  ensure(n: i32): void {
    if (n <= this.cap) return;
    let nc = max(n, this.cap * 2 + 1024);
    this.vtx = this.vtx == 0 ? heap.alloc(<usize>nc * 8) : heap.realloc(this.vtx, <usize>nc * 8);
    this.cap = nc;
  }
  @inline x(i: i32): i32 {
    return load<i32>(this.vtx + (<usize>i << 3));
  }
  @inline y(i: i32): i32 {
    return load<i32>(this.vtx + (<usize>i << 3) + 4);
  }
}

/** Whether a contour starts at mask pixel (x, y): inside, not yet visited, its left neighbour outside. */
export function isContourStart(m: LayerMask, x: i32, y: i32): bool {
  let v = m.at(x, y);
  if ((v & 1) == 0 || (v & 2) != 0) return false;
  return (m.at(x - 1, y) & 1) == 0;
}

// direction: 0 N, 1 E, 2 S, 3 W. The inside is kept on the right.
export function traceContour(m: LayerMask, ct: Contour, sx: i32, sy: i32): i32 {
  let vx = sx;
  let vy = sy + 1;
  let dir = 0;
  let n = 0;
  let startVx = vx;
  let startVy = vy;
  let limit = 4 * m.mw * m.mh + 8;
  let steps = 0;
  let prevDir = -1;
  while (steps < limit) {
    steps++;
    // record turning vertex
    if (dir != prevDir) {
      ct.ensure(n + 1);
      store<i32>(ct.vtx + (<usize>n << 3), vx);
      store<i32>(ct.vtx + (<usize>n << 3) + 4, vy);
      n++;
      prevDir = dir;
    }
    // move one edge
    if (dir == 0) {
      // left edge of pixel (vx, vy-1)
      let pi = (vy - 1) * m.mw + vx;
      store<u8>(m.buf + <usize>pi, load<u8>(m.buf + <usize>pi) | 2);
      vy--;
    } else if (dir == 1) vx++;
    else if (dir == 2) vy++;
    else vx--;
    // choose next direction
    let al: i32;
    let ar: i32;
    if (dir == 0) {
      al = m.at(vx - 1, vy - 1);
      ar = m.at(vx, vy - 1);
    } else if (dir == 1) {
      al = m.at(vx, vy - 1);
      ar = m.at(vx, vy);
    } else if (dir == 2) {
      al = m.at(vx, vy);
      ar = m.at(vx - 1, vy);
    } else {
      al = m.at(vx - 1, vy);
      ar = m.at(vx - 1, vy - 1);
    }
    al &= 1;
    ar &= 1;
    if (al != 0) dir = (dir + 3) & 3;
    else if (ar == 0) dir = (dir + 1) & 3;
    if (vx == startVx && vy == startVy && dir == 0) break;
  }
  // the first vertex was recorded with direction N; if we arrive heading N the start is no turn
  if (n >= 2 && prevDir == 0) {
    // drop vertex 0 (it lies on a straight run); rotate
    for (let i = 1; i < n; i++) {
      store<i64>(ct.vtx + (<usize>(i - 1) << 3), load<i64>(ct.vtx + (<usize>i << 3)));
    }
    n--;
  }
  // fewer than 4 cannot happen for a closed rectilinear loop
  return n;
}
