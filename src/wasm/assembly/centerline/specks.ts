// Centerline: specks and pinholes. Ink pieces smaller than `speckle` pixels (8-connected) are dust, not
// lines; holes in the ink smaller than that (4-connected ground not reaching the border) are noise that
// would thin into a tiny loop. Both go before skeletonizing.
import { Frame } from "../prepare";
import { Ink } from "./ink";
import { pixelTick } from "../env";

export function removeSpecks(f: Frame, ink: Ink, speckle: i32): void {
  if (speckle <= 1) return;
  let w = f.w;
  let h = f.h;
  let seen = f.thin;
  memory.fill(seen, 0, <usize>f.n);
  let queue = f.queue;
  for (let s = 0; s < f.n; s++) {
    pixelTick(s);
    if (load<u8>(seen + <usize>s) != 0) continue;
    let v = load<u8>(ink.mask + <usize>s);
    // 8-connected ink, 4-connected ground
    let eight = v != 0;
    store<u8>(seen + <usize>s, 1);
    store<i32>(queue, s);
    let qh = 0;
    let qt = 1;
    let border = false;
    while (qh < qt) {
      let p = load<i32>(queue + (<usize>qh << 2));
      qh++;
      let x = p % w;
      let y = p / w;
      if (x == 0 || y == 0 || x == w - 1 || y == h - 1) border = true;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) continue;
          let xx = x + dx;
          let yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          let j = yy * w + xx;
          if (load<u8>(seen + <usize>j) != 0 || load<u8>(ink.mask + <usize>j) != v) continue;
          store<u8>(seen + <usize>j, 1);
          store<i32>(queue + (<usize>qt << 2), j);
          qt++;
        }
      }
    }
    if (qt >= speckle || (!eight && border)) continue;
    let flip: u8 = eight ? 0 : 1;
    for (let q = 0; q < qt; q++) store<u8>(ink.mask + <usize>load<i32>(queue + (<usize>q << 2)), flip);
  }
}
