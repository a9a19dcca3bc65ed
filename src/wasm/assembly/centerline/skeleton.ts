
import { pixelTick } from "../env";// Centerline stage 2, skeletonize: the ink mask thinned to 8-connected lines one pixel wide.
// Sequential thinning by simple points: in passes from the north, south, east and west borders, a
// border pixel goes when removing it changes no connectivity (Yokoi's connectivity number is 1) and
// it is not a line's end (at least two neighbours). Deleting one pixel at a time, re-checked against
// the current state, can never cut a line or open a hole (parallel thinning such as Zhang-Suen erases
// 2 px diagonals); peeling all four sides in turn keeps the line in the middle within half a pixel,
// which the profile stage then refines to sub-pixel.
//
// The skeleton lives in a padded (w+2)x(h+2) u8 grid: pixel (x, y) at (y+1)*(w+2)+(x+1), 1 = on.

// neighbours, counter-clockwise from east: E, NE, N, NW, W, SW, S, SE (Yokoi's x1..x8)
export const DX: StaticArray<i32> = [1, 1, 0, -1, -1, -1, 0, 1];
export const DY: StaticArray<i32> = [0, -1, -1, -1, 0, 1, 1, 1];

/** offsets of the 8 neighbours in a padded grid of width pw (same order as DX/DY) */
export function neighbourOffsets(pw: i32): StaticArray<i32> {
  let o = new StaticArray<i32>(8);
  for (let k = 0; k < 8; k++) unchecked((o[k] = unchecked(DY[k]) * pw + unchecked(DX[k])));
  return o;
}

@inline function on(sk: usize, p: i32): i32 {
  return load<u8>(sk + <usize>p) != 0 ? 1 : 0;
}

/** Yokoi's 8-connectivity number: 1 when removing p keeps every connection around it */
export function connectivity(sk: usize, p: i32, nb: StaticArray<i32>): i32 {
  let c = 0;
  for (let k = 0; k < 8; k += 2) {
    let x1 = 1 - on(sk, p + unchecked(nb[k]));
    let x2 = 1 - on(sk, p + unchecked(nb[(k + 1) & 7]));
    let x3 = 1 - on(sk, p + unchecked(nb[(k + 2) & 7]));
    c += x1 - x1 * x2 * x3;
  }
  return c;
}

export function neighbourCount(sk: usize, p: i32, nb: StaticArray<i32>): i32 {
  let n = 0;
  for (let k = 0; k < 8; k++) n += on(sk, p + unchecked(nb[k]));
  return n;
}

/**
 * Thins the padded grid `sk` in place. `list` (i32, room for every pixel) is scratch for the pixels
 * still on; the loop ends when a full round deletes nothing (at most half the widest line's width).
 */
export function thin(sk: usize, w: i32, h: i32, list: usize): void {
  let pw = w + 2;
  let nb = neighbourOffsets(pw);
  let n = 0;
  for (let y = 1; y <= h; y++) {
    for (let x = 1; x <= w; x++) {
      let p = y * pw + x;
      if (load<u8>(sk + <usize>p) == 0) continue;
      store<i32>(list + (<usize>n << 2), p);
      n++;
    }
  }
  // border directions: N (index 2), S (6), E (0), W (4)
  let dirs: StaticArray<i32> = [2, 6, 0, 4];
  let changed = true;
  while (changed) {
    changed = false;
    for (let d = 0; d < 4; d++) {
      let off = unchecked(nb[unchecked(dirs[d])]);
      // the border pixels on this side as the pass starts (2): a pixel they uncover waits for the next
      // round, so each pass peels one layer
      for (let i = 0; i < n; i++) {
        let p = load<i32>(list + (<usize>i << 2));
        if (load<u8>(sk + <usize>p) != 0 && load<u8>(sk + <usize>(p + off)) == 0) store<u8>(sk + <usize>p, 2);
      }
      for (let i = 0; i < n; i++) {
        pixelTick(i);
        let p = load<i32>(list + (<usize>i << 2));
        if (load<u8>(sk + <usize>p) != 2) continue;
        if (neighbourCount(sk, p, nb) < 2 || connectivity(sk, p, nb) != 1) {
          store<u8>(sk + <usize>p, 1);
          continue;
        }
        store<u8>(sk + <usize>p, 0);
        changed = true;
      }
    }
    // keep only the pixels still on
    let m = 0;
    for (let i = 0; i < n; i++) {
      let p = load<i32>(list + (<usize>i << 2));
      if (load<u8>(sk + <usize>p) == 0) continue;
      store<i32>(list + (<usize>m << 2), p);
      m++;
    }
    n = m;
  }
}
