// Stage 7, SVG write: the output buffer, compact path data (relative m/l/h/v/c/s/z, integer grid in
// 10^-precision, minimal separators), fills and the document frame. `viewBox` = source size, also
// when traced downscaled (coordinates are scaled on the way out).
import { clamp255 } from "./color";
import { Gradient } from "./gradients";

const HEX = "0123456789abcdef";

export class SvgWriter {
  ptr: usize = 0;
  len: i32 = 0;
  cap: i32 = 0;
  // counts for the stats
  paths: i32 = 0;
  subpaths: i32 = 0;
  segments: i32 = 0;

  precision: i32;
  pscale: f64;
  scaleX: f64;
  scaleY: f64;
  pow10: StaticArray<i64> = new StaticArray<i64>(4);

  // path-data state: previous token, pen and sub-path start in grid units
  lastNum: bool = false;
  lastDot: bool = false;
  lastCmd: i32 = 0;
  penX: i64 = 0;
  penY: i64 = 0;
  startX: i64 = 0;
  startY: i64 = 0;
  prevC2X: i64 = 0; // absolute grid coords of the previous cubic's 2nd control point
  prevC2Y: i64 = 0;
  prevWasCubic: bool = false;
  subpathSegs: i32 = 0;

  /** scaleX/scaleY: output units per traced pixel */
  constructor(precision: i32, scaleX: f64, scaleY: f64) {
    this.precision = precision;
    this.pscale = Math.pow(10, <f64>precision);
    this.scaleX = scaleX;
    this.scaleY = scaleY;
    unchecked((this.pow10[0] = 1));
    unchecked((this.pow10[1] = 10));
    unchecked((this.pow10[2] = 100));
    unchecked((this.pow10[3] = 1000));
  }

  reserve(n: i32): void {
    if (this.len + n <= this.cap) return;
    let nc = this.cap * 2;
    if (nc < this.len + n + 4096) nc = this.len + n + 4096;
    this.ptr = this.ptr == 0 ? heap.alloc(<usize>nc) : heap.realloc(this.ptr, <usize>nc);
    this.cap = nc;
  }
  @inline byte(b: i32): void {
    if (this.len >= this.cap) this.reserve(1);
    store<u8>(this.ptr + <usize>this.len, <u8>b);
    this.len++;
  }
  str(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }
  uint(v: i64): void {
    if (v >= 10) this.uint(v / 10);
    this.byte(48 + <i32>(v % 10));
  }
  hex2(v: i32): void {
    this.byte(HEX.charCodeAt((v >> 4) & 15));
    this.byte(HEX.charCodeAt(v & 15));
  }

  // path data: numbers are integers in units of 10^-precision, written relative to the pen
  num(n: i64): void {
    let neg = n < 0;
    let a = neg ? -n : n;
    let p = this.precision;
    let ip = a;
    let fp: i64 = 0;
    if (p > 0) {
      let d = unchecked(this.pow10[p]);
      ip = a / d;
      fp = a % d;
    }
    // strip trailing zeros of the fraction
    let fd = p;
    if (fp == 0) fd = 0;
    else {
      while (fd > 0 && fp % 10 == 0) {
        fp /= 10;
        fd--;
      }
    }
    let startsWithDot = ip == 0 && fd > 0;
    if (neg && a != 0) this.byte(45);
    else if (this.lastNum && !(startsWithDot && this.lastDot)) this.byte(32);
    if (!(ip == 0 && fd > 0)) this.uint(ip);
    if (fd > 0) {
      this.byte(46);
      // leading zeros of the fraction
      let digits = 1;
      let t = fp;
      while (t >= 10) {
        t /= 10;
        digits++;
      }
      for (let i = digits; i < fd; i++) this.byte(48);
      this.uint(fp);
    }
    this.lastNum = true;
    this.lastDot = fd > 0;
  }
  cmd(c: i32): void {
    if (c != this.lastCmd || c == 109 /* m */) {
      this.byte(c);
      this.lastNum = false;
      this.lastDot = false;
    }
    this.lastCmd = c;
    // after an 'm', implicit repeats are 'l'
    if (c == 109) this.lastCmd = 108;
  }

  @inline gx(x: f64): i64 {
    return <i64>Math.round(x * this.scaleX * this.pscale);
  }
  @inline gy(y: f64): i64 {
    return <i64>Math.round(y * this.scaleY * this.pscale);
  }
  move(x: f64, y: f64): void {
    let X = this.gx(x);
    let Y = this.gy(y);
    this.cmd(109);
    this.num(X - this.penX);
    this.num(Y - this.penY);
    this.penX = X;
    this.penY = Y;
    this.startX = X;
    this.startY = Y;
    this.prevWasCubic = false;
    this.subpathSegs = 0;
    this.subpaths++;
  }
  line(x: f64, y: f64, isLast: bool): void {
    let X = this.gx(x);
    let Y = this.gy(y);
    if (isLast && X == this.startX && Y == this.startY) return;
    let dx = X - this.penX;
    let dy = Y - this.penY;
    if (dx == 0 && dy == 0) return;
    if (dy == 0) {
      this.cmd(104);
      this.num(dx);
    } else if (dx == 0) {
      this.cmd(118);
      this.num(dy);
    } else {
      this.cmd(108);
      this.num(dx);
      this.num(dy);
    }
    this.penX = X;
    this.penY = Y;
    this.prevWasCubic = false;
    this.subpathSegs++;
    this.segments++;
  }
  cubic(x1: f64, y1: f64, x2: f64, y2: f64, x: f64, y: f64): void {
    let X1 = this.gx(x1);
    let Y1 = this.gy(y1);
    let X2 = this.gx(x2);
    let Y2 = this.gy(y2);
    let X = this.gx(x);
    let Y = this.gy(y);
    if (X == this.penX && Y == this.penY && X1 == this.penX && Y1 == this.penY && X2 == this.penX && Y2 == this.penY) return;
    // degenerate cubic (controls on the chord ends) -> line
    if (X1 == this.penX && Y1 == this.penY && X2 == X && Y2 == Y) {
      this.line(x, y, false);
      return;
    }
    if (this.prevWasCubic && X1 == 2 * this.penX - this.prevC2X && Y1 == 2 * this.penY - this.prevC2Y) {
      this.cmd(115);
    } else {
      this.cmd(99);
      this.num(X1 - this.penX);
      this.num(Y1 - this.penY);
    }
    this.num(X2 - this.penX);
    this.num(Y2 - this.penY);
    this.num(X - this.penX);
    this.num(Y - this.penY);
    this.prevC2X = X2;
    this.prevC2Y = Y2;
    this.penX = X;
    this.penY = Y;
    this.prevWasCubic = true;
    this.subpathSegs++;
    this.segments++;
  }
  close(): void {
    this.cmd(122);
    this.lastCmd = 122;
    this.penX = this.startX;
    this.penY = this.startY;
    this.prevWasCubic = false;
  }

  header(w: f64, h: f64): void {
    this.str('<svg xmlns="http://www.w3.org/2000/svg" width="');
    this.dim(w);
    this.str('" height="');
    this.dim(h);
    this.str('" viewBox="0 0 ');
    this.dim(w);
    this.byte(32);
    this.dim(h);
    this.str('">');
  }
  footer(): void {
    this.str("</svg>");
  }

  /**
   * `<path fill="#rgb" d="` (short hex when exact; `fill-opacity` when `a` < 250 of 255); path data
   * follows, relative to (0, 0)
   */
  beginPath(r: f64, g: f64, b: f64, a: f64): void {
    this.str('<path fill="#');
    this.color(clamp255(r), clamp255(g), clamp255(b));
    if (a < 250) {
      // two decimals, no leading zero
      let v = <i64>Math.round((a / 255) * 100);
      if (v < 1) v = 1;
      this.str('" fill-opacity=".');
      if (v < 10) this.byte(48);
      this.uint(v % 10 == 0 ? v / 10 : v);
    }
    this.str('" d="');
    this.startData();
  }
  /** a gradient (in <defs>, id "g<id>") and `<path fill="url(#g<id>)" d="` */
  beginGradientPath(g: Gradient, id: i32): void {
    if (g.bilinear) {
      this.bilinearPattern(g, id);
      return;
    }
    this.str(g.radial ? "<defs><radialGradient" : "<defs><linearGradient");
    this.str(' id="g');
    this.uint(id);
    this.str('" gradientUnits="userSpaceOnUse"');
    if (g.radial) {
      this.attr("cx", g.x1 * this.scaleX);
      this.attr("cy", g.y1 * this.scaleY);
      this.attr("r", (g.r * (this.scaleX + this.scaleY)) / 2);
    } else {
      this.attr("x1", g.x1 * this.scaleX);
      this.attr("y1", g.y1 * this.scaleY);
      this.attr("x2", g.x2 * this.scaleX);
      this.attr("y2", g.y2 * this.scaleY);
    }
    this.byte(62);
    for (let s = 0; s < g.n; s++) {
      this.str('<stop offset="');
      this.dim(Math.round(unchecked(g.offset[s]) * 1000) / 1000);
      this.str('" stop-color="#');
      this.color(clamp255(unchecked(g.sr[s])), clamp255(unchecked(g.sg[s])), clamp255(unchecked(g.sb[s])));
      this.str('"/>');
    }
    this.str(g.radial ? "</radialGradient></defs>" : "</linearGradient></defs>");
    this.str('<path fill="url(#g');
    this.uint(id);
    this.str(')" d="');
    this.startData();
  }

  /**
   * A bilinear fill as SVG draws it: pattern "g<id>" over the box (1 px wider each side, where the
   * ramps pad) holds the top ramp ("g<id>t", left to right) and over it the bottom ramp ("g<id>u")
   * through mask "g<id>m", a vertical ramp from transparent to opaque white ("g<id>v"); then
   * `<path fill="url(#g<id>)" d="`.
   */
  bilinearPattern(g: Gradient, id: i32): void {
    let x1 = g.x1 * this.scaleX;
    let y1 = g.y1 * this.scaleY;
    let x2 = g.x2 * this.scaleX;
    let y2 = g.y2 * this.scaleY;
    this.str("<defs>");
    for (let row = 0; row < 2; row++) {
      this.str('<linearGradient id="g');
      this.uint(id);
      this.str(row == 0 ? 't" gradientUnits="userSpaceOnUse"' : 'u" gradientUnits="userSpaceOnUse"');
      this.attr("x1", x1);
      this.attr("y1", y1);
      this.attr("x2", x2);
      this.attr("y2", y1);
      this.byte(62);
      for (let s = 0; s < 2; s++) {
        let c = row * 2 + s;
        this.str(s == 0 ? '<stop offset="0" stop-color="#' : '<stop offset="1" stop-color="#');
        this.color(clamp255(unchecked(g.sr[c])), clamp255(unchecked(g.sg[c])), clamp255(unchecked(g.sb[c])));
        this.str('"/>');
      }
      this.str("</linearGradient>");
    }
    this.str('<linearGradient id="g');
    this.uint(id);
    this.str('v" gradientUnits="userSpaceOnUse"');
    this.attr("x1", x1);
    this.attr("y1", y1);
    this.attr("x2", x1);
    this.attr("y2", y2);
    this.str('><stop offset="0" stop-color="#fff" stop-opacity="0"/><stop offset="1" stop-color="#fff"/>');
    this.str('</linearGradient><mask id="g');
    this.uint(id);
    this.str('m" maskUnits="userSpaceOnUse"');
    this.box(x1, y1, x2, y2);
    this.byte(62);
    this.rectRef(x1, y1, x2, y2, id, 118, 0);
    this.str('</mask><pattern id="g');
    this.uint(id);
    this.str('" patternUnits="userSpaceOnUse"');
    this.box(x1, y1, x2, y2);
    this.byte(62);
    this.rectRef(x1, y1, x2, y2, id, 116, 0);
    this.rectRef(x1, y1, x2, y2, id, 117, 109);
    this.str('</pattern></defs><path fill="url(#g');
    this.uint(id);
    this.str(')" d="');
    this.startData();
  }
  /** `<rect` over the grown box filled with "g<id><fill>" (and masked by "g<id><mask>" unless 0) `/>` */
  rectRef(x1: f64, y1: f64, x2: f64, y2: f64, id: i32, fill: i32, mask: i32): void {
    this.str("<rect");
    this.box(x1, y1, x2, y2);
    this.str(' fill="url(#g');
    this.uint(id);
    this.byte(fill);
    if (mask != 0) {
      this.str(')" mask="url(#g');
      this.uint(id);
      this.byte(mask);
    }
    this.str(')"/>');
  }
  /** path data starts relative to (0, 0) */
  startData(): void {
    this.penX = 0;
    this.penY = 0;
    this.lastNum = false;
    this.lastDot = false;
    this.lastCmd = 0;
  }
  /** ` x="" y="" width="" height=""` of the box (x1, y1)-(x2, y2) grown by one pixel each side */
  box(x1: f64, y1: f64, x2: f64, y2: f64): void {
    this.attr("x", x1 - this.scaleX);
    this.attr("y", y1 - this.scaleY);
    this.attr("width", x2 - x1 + 2 * this.scaleX);
    this.attr("height", y2 - y1 + 2 * this.scaleY);
  }

  /** ` name="value"` (gradient geometry in px: 0.1 px is finer than any ramp shows; negative allowed) */
  attr(name: string, v: f64): void {
    this.byte(32);
    this.str(name);
    this.str('="');
    if (v < 0) {
      this.byte(45);
      v = -v;
    }
    this.dim(v, 1);
    this.byte(34);
  }

  endPath(): void {
    this.str('"/>');
    this.paths++;
  }

  color(r: i32, g: i32, b: i32): void {
    if ((r >> 4) == (r & 15) && (g >> 4) == (g & 15) && (b >> 4) == (b & 15)) {
      this.byte(HEX.charCodeAt(r & 15));
      this.byte(HEX.charCodeAt(g & 15));
      this.byte(HEX.charCodeAt(b & 15));
    } else {
      this.hex2(r);
      this.hex2(g);
      this.hex2(b);
    }
  }

  /** dimensions: integers, or up to 3 decimals */
  /** v ≥ 0 with up to `decimals` (≤ 3) decimals, without trailing zeros or a leading one (".25") */
  dim(v: f64, decimals: i32 = 3): void {
    let scale = unchecked(this.pow10[decimals]);
    let n = <i64>Math.round(v * <f64>scale);
    let ip = n / scale;
    let fp = n % scale;
    if (ip != 0 || fp == 0) this.uint(ip);
    if (fp != 0) {
      this.byte(46);
      let d = decimals;
      while (fp % 10 == 0) {
        fp /= 10;
        d--;
      }
      let digits = 1;
      let t = fp;
      while (t >= 10) {
        t /= 10;
        digits++;
      }
      for (let i = digits; i < d; i++) this.byte(48);
      this.uint(fp);
    }
  }
}
