// Stage 1, prepare: the decoded RGBA pixels (decoding itself happens in the host) and the per-pixel
// buffers every later stage shares. Alpha < 128 is transparent and never painted.

export const TRANSPARENT: i32 = 255;

export class Frame {
  w: i32;
  h: i32;
  n: i32;
  /** input, w*h*4 bytes, straight alpha */
  rgba: usize;
  /** u8 per pixel: palette index or TRANSPARENT */
  lab: usize;
  /** u8 scratch of (w+2)*(h+2) bytes (component marks, layer masks) */
  mark: usize;
  /** i32 scratch of (w+2)*(h+2) entries (flood-fill queues) */
  queue: usize;

  constructor(rgba: usize, w: i32, h: i32) {
    this.w = w;
    this.h = h;
    this.n = w * h;
    this.rgba = rgba;
    this.lab = heap.alloc(<usize>this.n);
    let padded = <usize>(w + 2) * <usize>(h + 2);
    this.mark = heap.alloc(padded);
    this.queue = heap.alloc(padded * 4);
  }

  @inline alpha(i: i32): i32 {
    return <i32>load<u8>(this.rgba + (<usize>i << 2) + 3);
  }
  @inline label(i: i32): i32 {
    return <i32>load<u8>(this.lab + <usize>i);
  }
  @inline setLabel(i: i32, c: i32): void {
    store<u8>(this.lab + <usize>i, <u8>c);
  }

  dispose(): void {
    heap.free(this.lab);
    heap.free(this.mark);
    heap.free(this.queue);
  }
}
