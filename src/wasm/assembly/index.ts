// Edgecraft tracer: raster (RGBA) -> SVG. AssemblyScript, compiled by scripts/build-wasm.mjs.
// Raw-memory style: every buffer comes from heap.alloc (TLSF, minimal runtime); no managed objects
// are created while tracing, so no GC is ever needed. Every loop is bounded by the image size.

@external("env", "progress")
declare function progress(stage: i32, fraction: f64): void;

// ---------------------------------------------------------------- constants
const MODE_COLOR: i32 = 0;
const MODE_BINARY: i32 = 1;
const MODE_POSTERIZE: i32 = 2;
const TRANSPARENT: i32 = 255;
const MAX_COLORS: i32 = 160; // automatic palettes; explicit `colors` is at most 64

// ---------------------------------------------------------------- options (set per call)
let W: i32 = 0;
let H: i32 = 0;
let N: i32 = 0;
let mode: i32 = 0;
let wantColors: i32 = 0;
let detail: f64 = 50;
let fitTol: f64 = 0.8;
let cornerCos: f64 = 0.5;
let speckle: i32 = 4;
let polygons: bool = false;
let cutout: bool = false;
let precision: i32 = 1;
let pscale: f64 = 10;
let dropWhite: bool = false;
let threshold: i32 = 128;
let scaleX: f64 = 1;
let scaleY: f64 = 1;
let outW: f64 = 0;
let outH: f64 = 0;

// ---------------------------------------------------------------- buffers
let rgba: usize = 0; // input, W*H*4
let lab: usize = 0; // label per pixel (u8): palette index or TRANSPARENT
let mark: usize = 0; // u8 scratch, padded size
let queue: usize = 0; // i32 scratch, padded size
let lut: usize = 0; // u8, 2^18 entries (6 bits per channel) -> palette index

// palette (MAX_COLORS entries)
let palR = new StaticArray<f64>(MAX_COLORS);
let palG = new StaticArray<f64>(MAX_COLORS);
let palB = new StaticArray<f64>(MAX_COLORS);
let palL = new StaticArray<f64>(MAX_COLORS);
let palA = new StaticArray<f64>(MAX_COLORS);
let palBB = new StaticArray<f64>(MAX_COLORS);
let palCount = new StaticArray<i32>(MAX_COLORS);
let palEmit = new StaticArray<i32>(MAX_COLORS);
let palRank = new StaticArray<i32>(MAX_COLORS);
let palX0 = new StaticArray<i32>(MAX_COLORS);
let palY0 = new StaticArray<i32>(MAX_COLORS);
let palX1 = new StaticArray<i32>(MAX_COLORS);
let palY1 = new StaticArray<i32>(MAX_COLORS);
let order = new StaticArray<i32>(MAX_COLORS);
let K: i32 = 0;
let rankOf = new StaticArray<i32>(256);
let autoMax: i32 = MAX_COLORS; // by label; -1 for transparent / not emitted

// output
let outPtr: usize = 0;
let outLen: i32 = 0;
let outCap: i32 = 0;

// stats
let statPaths: i32 = 0;
let statSubpaths: i32 = 0;
let statSegments: i32 = 0;
let statColors: i32 = 0;

// ---------------------------------------------------------------- exports: memory
export function alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}
export function free(ptr: usize): void {
  heap.free(ptr);
}
export function resultPtr(): usize {
  return outPtr;
}
export function resultLen(): i32 {
  return outLen;
}
export function stat(i: i32): f64 {
  if (i == 0) return <f64>statPaths;
  if (i == 1) return <f64>statSubpaths;
  if (i == 2) return <f64>statSegments;
  if (i == 3) return <f64>statColors;
  if (i == 4) return <f64>(<i64>memory.size() * 65536);
  return 0;
}

// ---------------------------------------------------------------- output writer
function outReserve(n: i32): void {
  if (outLen + n <= outCap) return;
  let nc = outCap * 2;
  if (nc < outLen + n + 4096) nc = outLen + n + 4096;
  outPtr = outPtr == 0 ? heap.alloc(<usize>nc) : heap.realloc(outPtr, <usize>nc);
  outCap = nc;
}
@inline function outByte(b: i32): void {
  if (outLen >= outCap) outReserve(1);
  store<u8>(outPtr + <usize>outLen, <u8>b);
  outLen++;
}
function outStr(s: string): void {
  for (let i = 0; i < s.length; i++) outByte(s.charCodeAt(i));
}
function outUint(v: i64): void {
  if (v >= 10) outUint(v / 10);
  outByte(48 + <i32>(v % 10));
}
const HEX = "0123456789abcdef";
function outHex2(v: i32): void {
  outByte(HEX.charCodeAt((v >> 4) & 15));
  outByte(HEX.charCodeAt(v & 15));
}

// path-data number writer: numbers are integers in units of 10^-precision
let lastNum: bool = false; // previous token was a number
let lastDot: bool = false; // previous number contained a '.'
let lastCmd: i32 = 0;
let pow10 = new StaticArray<i64>(4);

function writeNum(n: i64): void {
  let neg = n < 0;
  let a = neg ? -n : n;
  let p = precision;
  let ip = a;
  let fp: i64 = 0;
  if (p > 0) {
    let d = unchecked(pow10[p]);
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
  if (neg && a != 0) outByte(45);
  else if (lastNum && !(startsWithDot && lastDot)) outByte(32);
  if (!(ip == 0 && fd > 0)) outUint(ip);
  if (fd > 0) {
    outByte(46);
    // leading zeros of the fraction
    let digits = 1;
    let t = fp;
    while (t >= 10) {
      t /= 10;
      digits++;
    }
    for (let i = digits; i < fd; i++) outByte(48);
    outUint(fp);
  }
  lastNum = true;
  lastDot = fd > 0;
}
function writeCmd(c: i32): void {
  if (c != lastCmd || c == 109 /* m */) {
    outByte(c);
    lastNum = false;
    lastDot = false;
  }
  lastCmd = c;
  // after an 'm', implicit repeats are 'l'
  if (c == 109) lastCmd = 108;
}

// pen state in integer grid units
let penX: i64 = 0;
let penY: i64 = 0;
let startX: i64 = 0;
let startY: i64 = 0;
let prevC2X: i64 = 0; // absolute grid coords of the previous cubic's 2nd control point
let prevC2Y: i64 = 0;
let prevWasCubic: bool = false;
let subpathSegs: i32 = 0;

@inline function gx(x: f64): i64 {
  return <i64>Math.round(x * scaleX * pscale);
}
@inline function gy(y: f64): i64 {
  return <i64>Math.round(y * scaleY * pscale);
}
function penMove(x: f64, y: f64): void {
  let X = gx(x);
  let Y = gy(y);
  writeCmd(109);
  writeNum(X - penX);
  writeNum(Y - penY);
  penX = X;
  penY = Y;
  startX = X;
  startY = Y;
  prevWasCubic = false;
  subpathSegs = 0;
  statSubpaths++;
}
function penLine(x: f64, y: f64, isLast: bool): void {
  let X = gx(x);
  let Y = gy(y);
  if (isLast && X == startX && Y == startY) return;
  let dx = X - penX;
  let dy = Y - penY;
  if (dx == 0 && dy == 0) return;
  if (dy == 0) {
    writeCmd(104);
    writeNum(dx);
  } else if (dx == 0) {
    writeCmd(118);
    writeNum(dy);
  } else {
    writeCmd(108);
    writeNum(dx);
    writeNum(dy);
  }
  penX = X;
  penY = Y;
  prevWasCubic = false;
  subpathSegs++;
  statSegments++;
}
function penCubic(x1: f64, y1: f64, x2: f64, y2: f64, x: f64, y: f64): void {
  let X1 = gx(x1);
  let Y1 = gy(y1);
  let X2 = gx(x2);
  let Y2 = gy(y2);
  let X = gx(x);
  let Y = gy(y);
  if (X == penX && Y == penY && X1 == penX && Y1 == penY && X2 == penX && Y2 == penY) return;
  // degenerate cubic (controls on the chord ends) -> line
  if (X1 == penX && Y1 == penY && X2 == X && Y2 == Y) {
    penLine(x, y, false);
    return;
  }
  if (prevWasCubic && X1 == 2 * penX - prevC2X && Y1 == 2 * penY - prevC2Y) {
    writeCmd(115);
  } else {
    writeCmd(99);
    writeNum(X1 - penX);
    writeNum(Y1 - penY);
  }
  writeNum(X2 - penX);
  writeNum(Y2 - penY);
  writeNum(X - penX);
  writeNum(Y - penY);
  prevC2X = X2;
  prevC2Y = Y2;
  penX = X;
  penY = Y;
  prevWasCubic = true;
  subpathSegs++;
  statSegments++;
}
function penClose(): void {
  writeCmd(122);
  lastCmd = 122;
  penX = startX;
  penY = startY;
  prevWasCubic = false;
}

// ---------------------------------------------------------------- color science
let srgbLin = new StaticArray<f64>(256);
function initColor(): void {
  for (let i = 0; i < 256; i++) {
    let c = <f64>i / 255.0;
    unchecked((srgbLin[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
  }
  unchecked((pow10[0] = 1));
  unchecked((pow10[1] = 10));
  unchecked((pow10[2] = 100));
  unchecked((pow10[3] = 1000));
}
let okL: f64 = 0;
let okA: f64 = 0;
let okB: f64 = 0;
function linToOklab(r: f64, g: f64, b: f64): void {
  let l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  let m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  let s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  okL = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  okA = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  okB = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}
@inline function lin(c: f64): f64 {
  // c in 0..255 (fractional): interpolate the table
  let i = <i32>c;
  if (i < 0) return 0;
  if (i >= 255) return unchecked(srgbLin[255]);
  let f = c - <f64>i;
  return unchecked(srgbLin[i]) * (1 - f) + unchecked(srgbLin[i + 1]) * f;
}
function rgbToOklab(r: f64, g: f64, b: f64): void {
  linToOklab(lin(r), lin(g), lin(b));
}

// ---------------------------------------------------------------- sort (shell sort on i32 idx by f64 key)
function shellSort(idx: usize, key: usize, lo: i32, hi: i32): void {
  // sorts idx[lo..hi) ascending by key[idx[i]]; ties broken by index value (deterministic)
  let n = hi - lo;
  let gap = 1;
  while (gap < n / 3) gap = gap * 3 + 1;
  while (gap >= 1) {
    for (let i = lo + gap; i < hi; i++) {
      let v = load<i32>(idx + (<usize>i << 2));
      let kv = load<f64>(key + (<usize>v << 3));
      let j = i;
      while (j - gap >= lo) {
        let u = load<i32>(idx + (<usize>(j - gap) << 2));
        let ku = load<f64>(key + (<usize>u << 3));
        if (ku < kv || (ku == kv && u <= v)) break;
        store<i32>(idx + (<usize>j << 2), u);
        j -= gap;
      }
      store<i32>(idx + (<usize>j << 2), v);
    }
    gap = (gap - 1) / 3;
  }
}

// ---------------------------------------------------------------- quantization
// Histogram on 5 bits per channel; each occupied bin becomes a weighted sample in Oklab.
const HBINS: i32 = 32768;
let boxLo = new StaticArray<i32>(MAX_COLORS + 1);
let boxHi = new StaticArray<i32>(MAX_COLORS + 1);
let boxSse = new StaticArray<f64>(MAX_COLORS + 1);

function boxStats(sidx: usize, sw: usize, sl: usize, sa: usize, sb: usize, lo: i32, hi: i32): f64 {
  let w: f64 = 0;
  let l: f64 = 0;
  let a: f64 = 0;
  let b: f64 = 0;
  let q: f64 = 0;
  for (let i = lo; i < hi; i++) {
    let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
    let ww = load<f64>(sw + s);
    let ll = load<f64>(sl + s);
    let aa = load<f64>(sa + s);
    let bb = load<f64>(sb + s);
    w += ww;
    l += ww * ll;
    a += ww * aa;
    b += ww * bb;
    q += ww * (ll * ll + aa * aa + bb * bb);
  }
  if (w <= 0) return 0;
  let sse = q - (l * l + a * a + b * b) / w;
  return sse > 0 ? sse : 0;
}

function quantize(): void {
  // 1. weighted histogram
  let hw = heap.alloc(<usize>HBINS * 8);
  let hr = heap.alloc(<usize>HBINS * 8);
  let hg = heap.alloc(<usize>HBINS * 8);
  let hb = heap.alloc(<usize>HBINS * 8);
  memory.fill(hw, 0, <usize>HBINS * 8);
  memory.fill(hr, 0, <usize>HBINS * 8);
  memory.fill(hg, 0, <usize>HBINS * 8);
  memory.fill(hb, 0, <usize>HBINS * 8);
  let flatW: f64 = mode == MODE_COLOR ? 1.0 : 1.0;
  let edgeW: f64 = mode == MODE_COLOR ? 0.04 : 1.0;
  let total: f64 = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let p = <usize>(y * W + x) << 2;
      let a = <i32>load<u8>(rgba + p + 3);
      if (a < 128) continue;
      let r = <i32>load<u8>(rgba + p);
      let g = <i32>load<u8>(rgba + p + 1);
      let b = <i32>load<u8>(rgba + p + 2);
      let wgt = flatW;
      if (edgeW != flatW) {
        let d = 0;
        if (x + 1 < W) {
          let q = p + 4;
          d = max(d, abs(r - <i32>load<u8>(rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(rgba + q + 2)));
        }
        if (y + 1 < H) {
          let q = p + (<usize>W << 2);
          d = max(d, abs(r - <i32>load<u8>(rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(rgba + q + 2)));
        }
        if (x > 0) {
          let q = p - 4;
          d = max(d, abs(r - <i32>load<u8>(rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(rgba + q + 2)));
        }
        if (y > 0) {
          let q = p - (<usize>W << 2);
          d = max(d, abs(r - <i32>load<u8>(rgba + q)));
          d = max(d, abs(g - <i32>load<u8>(rgba + q + 1)));
          d = max(d, abs(b - <i32>load<u8>(rgba + q + 2)));
        }
        if (d > 10) wgt = edgeW;
      }
      let k = <usize>(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)) << 3;
      store<f64>(hw + k, load<f64>(hw + k) + wgt);
      store<f64>(hr + k, load<f64>(hr + k) + wgt * <f64>r);
      store<f64>(hg + k, load<f64>(hg + k) + wgt * <f64>g);
      store<f64>(hb + k, load<f64>(hb + k) + wgt * <f64>b);
      total += wgt;
    }
  }
  progress(1, 0.3);
  // 2. samples
  let ns = 0;
  for (let k = 0; k < HBINS; k++) if (load<f64>(hw + (<usize>k << 3)) > 0) ns++;
  K = 0;
  if (ns == 0) {
    heap.free(hw);
    heap.free(hr);
    heap.free(hg);
    heap.free(hb);
    return;
  }
  let sidx = heap.alloc(<usize>ns * 4);
  let sw = heap.alloc(<usize>ns * 8);
  let sl = heap.alloc(<usize>ns * 8);
  let sa = heap.alloc(<usize>ns * 8);
  let sb = heap.alloc(<usize>ns * 8);
  let skey = heap.alloc(<usize>ns * 8);
  let sr = heap.alloc(<usize>ns * 8);
  let sg = heap.alloc(<usize>ns * 8);
  let sbl = heap.alloc(<usize>ns * 8);
  let j = 0;
  for (let k = 0; k < HBINS; k++) {
    let o = <usize>k << 3;
    let ww = load<f64>(hw + o);
    if (ww <= 0) continue;
    let r = load<f64>(hr + o) / ww;
    let g = load<f64>(hg + o) / ww;
    let b = load<f64>(hb + o) / ww;
    rgbToOklab(r, g, b);
    let s = <usize>j << 3;
    store<f64>(sw + s, ww);
    store<f64>(sl + s, okL);
    store<f64>(sa + s, okA);
    store<f64>(sb + s, okB);
    store<f64>(sr + s, r);
    store<f64>(sg + s, g);
    store<f64>(sbl + s, b);
    store<i32>(sidx + (<usize>j << 2), j);
    j++;
  }
  heap.free(hw);
  heap.free(hr);
  heap.free(hg);
  heap.free(hb);

  // 3. median cut in Oklab, splitting the box with the largest SSE at the SSE-optimal point
  let maxK = wantColors > 0 ? min(wantColors, MAX_COLORS) : autoMax;
  if (maxK > ns) maxK = ns;
  // error target (mean squared Oklab distance) for automatic palettes; detail 0..100
  let tgt = 0.045 * Math.pow(0.955, detail); // detail 50 -> ~0.0045
  let tgt2 = tgt * tgt * total;
  let nb = 1;
  unchecked((boxLo[0] = 0));
  unchecked((boxHi[0] = ns));
  unchecked((boxSse[0] = boxStats(sidx, sw, sl, sa, sb, 0, ns)));
  while (nb < maxK) {
    let sum: f64 = 0;
    let best = -1;
    let bestSse: f64 = 0;
    for (let i = 0; i < nb; i++) {
      let e = unchecked(boxSse[i]);
      sum += e;
      if (unchecked(boxHi[i]) - unchecked(boxLo[i]) >= 2 && e > bestSse) {
        bestSse = e;
        best = i;
      }
    }
    if (best < 0) break;
    if (wantColors <= 0 && sum <= tgt2 && nb >= 2) break;
    let lo = unchecked(boxLo[best]);
    let hi = unchecked(boxHi[best]);
    // axis of largest weighted variance
    let w: f64 = 0;
    let m0: f64 = 0;
    let m1: f64 = 0;
    let m2: f64 = 0;
    let q0: f64 = 0;
    let q1: f64 = 0;
    let q2: f64 = 0;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let v0 = load<f64>(sl + s);
      let v1 = load<f64>(sa + s);
      let v2 = load<f64>(sb + s);
      w += ww;
      m0 += ww * v0;
      m1 += ww * v1;
      m2 += ww * v2;
      q0 += ww * v0 * v0;
      q1 += ww * v1 * v1;
      q2 += ww * v2 * v2;
    }
    let var0 = q0 - (m0 * m0) / w;
    let var1 = q1 - (m1 * m1) / w;
    let var2 = q2 - (m2 * m2) / w;
    let axis = sl;
    if (var1 > var0 && var1 >= var2) axis = sa;
    else if (var2 > var0 && var2 > var1) axis = sb;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      store<f64>(skey + s, load<f64>(axis + s));
    }
    shellSort(sidx, skey, lo, hi);
    // best cut by SSE along the axis (1-D approximation using all three dims)
    let tw: f64 = 0;
    let tl: f64 = 0;
    let ta: f64 = 0;
    let tb: f64 = 0;
    let tq: f64 = 0;
    for (let i = lo; i < hi; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let ll = load<f64>(sl + s);
      let aa = load<f64>(sa + s);
      let bb = load<f64>(sb + s);
      tw += ww;
      tl += ww * ll;
      ta += ww * aa;
      tb += ww * bb;
      tq += ww * (ll * ll + aa * aa + bb * bb);
    }
    let cw: f64 = 0;
    let cl: f64 = 0;
    let ca: f64 = 0;
    let cb: f64 = 0;
    let cq: f64 = 0;
    let cut = lo + 1;
    let bestCost = Infinity;
    for (let i = lo; i < hi - 1; i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      let ll = load<f64>(sl + s);
      let aa = load<f64>(sa + s);
      let bb = load<f64>(sb + s);
      cw += ww;
      cl += ww * ll;
      ca += ww * aa;
      cb += ww * bb;
      cq += ww * (ll * ll + aa * aa + bb * bb);
      let rw = tw - cw;
      if (rw <= 0 || cw <= 0) continue;
      let e1 = cq - (cl * cl + ca * ca + cb * cb) / cw;
      let rl = tl - cl;
      let ra = ta - ca;
      let rb = tb - cb;
      let e2 = tq - cq - (rl * rl + ra * ra + rb * rb) / rw;
      let cost = e1 + e2;
      if (cost < bestCost) {
        bestCost = cost;
        cut = i + 1;
      }
    }
    unchecked((boxHi[best] = cut));
    unchecked((boxSse[best] = boxStats(sidx, sw, sl, sa, sb, lo, cut)));
    unchecked((boxLo[nb] = cut));
    unchecked((boxHi[nb] = hi));
    unchecked((boxSse[nb] = boxStats(sidx, sw, sl, sa, sb, cut, hi)));
    nb++;
  }
  K = nb;
  // centroids
  for (let c = 0; c < K; c++) {
    let w: f64 = 0;
    let l: f64 = 0;
    let a: f64 = 0;
    let b: f64 = 0;
    for (let i = unchecked(boxLo[c]); i < unchecked(boxHi[c]); i++) {
      let s = <usize>load<i32>(sidx + (<usize>i << 2)) << 3;
      let ww = load<f64>(sw + s);
      w += ww;
      l += ww * load<f64>(sl + s);
      a += ww * load<f64>(sa + s);
      b += ww * load<f64>(sb + s);
    }
    if (w <= 0) w = 1;
    unchecked((palL[c] = l / w));
    unchecked((palA[c] = a / w));
    unchecked((palBB[c] = b / w));
  }
  // 4. k-means refinement on samples
  let ac = new StaticArray<f64>(MAX_COLORS * 4);
  for (let it = 0; it < 6; it++) {
    for (let c = 0; c < K * 4; c++) unchecked((ac[c] = 0));
    for (let i = 0; i < ns; i++) {
      let s = <usize>i << 3;
      let l = load<f64>(sl + s);
      let a = load<f64>(sa + s);
      let b = load<f64>(sb + s);
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < K; c++) {
        let dl = l - unchecked(palL[c]);
        let da = a - unchecked(palA[c]);
        let db = b - unchecked(palBB[c]);
        let d = dl * dl + da * da + db * db;
        if (d < bd) {
          bd = d;
          bc = c;
        }
      }
      let ww = load<f64>(sw + s);
      unchecked((ac[bc * 4] += ww));
      unchecked((ac[bc * 4 + 1] += ww * l));
      unchecked((ac[bc * 4 + 2] += ww * a));
      unchecked((ac[bc * 4 + 3] += ww * b));
    }
    for (let c = 0; c < K; c++) {
      let ww = unchecked(ac[c * 4]);
      if (ww > 0) {
        unchecked((palL[c] = ac[c * 4 + 1] / ww));
        unchecked((palA[c] = ac[c * 4 + 2] / ww));
        unchecked((palBB[c] = ac[c * 4 + 3] / ww));
      }
    }
  }
  heap.free(sidx);
  heap.free(sw);
  heap.free(sl);
  heap.free(sa);
  heap.free(sb);
  heap.free(skey);
  heap.free(sr);
  heap.free(sg);
  heap.free(sbl);
}

// map pixels to the nearest palette entry (Oklab) through a 6-bit-per-channel lookup table
function mapPixels(): void {
  memory.fill(lut, 255, 1 << 18);
  for (let c = 0; c < K; c++) {
    unchecked((palR[c] = 0));
    unchecked((palG[c] = 0));
    unchecked((palB[c] = 0));
    unchecked((palCount[c] = 0));
  }
  let accW = new StaticArray<f64>(MAX_COLORS);
  for (let i = 0; i < N; i++) {
    let p = <usize>i << 2;
    let a = <i32>load<u8>(rgba + p + 3);
    if (a < 128 || K == 0) {
      store<u8>(lab + <usize>i, TRANSPARENT);
      continue;
    }
    let r = <i32>load<u8>(rgba + p);
    let g = <i32>load<u8>(rgba + p + 1);
    let b = <i32>load<u8>(rgba + p + 2);
    let key = ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2);
    let c = <i32>load<u8>(lut + <usize>key);
    if (c == 255) {
      rgbToOklab(<f64>((r & 0xfc) | 2), <f64>((g & 0xfc) | 2), <f64>((b & 0xfc) | 2));
      let bd = Infinity;
      c = 0;
      for (let k = 0; k < K; k++) {
        let dl = okL - unchecked(palL[k]);
        let da = okA - unchecked(palA[k]);
        let db = okB - unchecked(palBB[k]);
        let d = dl * dl + da * da + db * db;
        if (d < bd) {
          bd = d;
          c = k;
        }
      }
      store<u8>(lut + <usize>key, <u8>c);
    }
    store<u8>(lab + <usize>i, <u8>c);
  }
  // final colors: mean of the pixels mapped to each entry, interior pixels weighted more
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let i = y * W + x;
      let c = <i32>load<u8>(lab + <usize>i);
      if (c == TRANSPARENT) continue;
      let wgt: f64 = 0.05;
      if (
        x > 0 &&
        y > 0 &&
        x + 1 < W &&
        y + 1 < H &&
        <i32>load<u8>(lab + <usize>(i - 1)) == c &&
        <i32>load<u8>(lab + <usize>(i + 1)) == c &&
        <i32>load<u8>(lab + <usize>(i - W)) == c &&
        <i32>load<u8>(lab + <usize>(i + W)) == c
      )
        wgt = 1;
      let p = <usize>i << 2;
      unchecked((palR[c] += wgt * <f64>load<u8>(rgba + p)));
      unchecked((palG[c] += wgt * <f64>load<u8>(rgba + p + 1)));
      unchecked((palB[c] += wgt * <f64>load<u8>(rgba + p + 2)));
      unchecked((accW[c] += wgt));
    }
  }
  for (let c = 0; c < K; c++) {
    let w = unchecked(accW[c]);
    if (w > 0) {
      unchecked((palR[c] = palR[c] / w));
      unchecked((palG[c] = palG[c] / w));
      unchecked((palB[c] = palB[c] / w));
    }
  }
}

function binarize(): void {
  K = 2;
  unchecked((palR[0] = 0));
  unchecked((palG[0] = 0));
  unchecked((palB[0] = 0));
  unchecked((palR[1] = 255));
  unchecked((palG[1] = 255));
  unchecked((palB[1] = 255));
  for (let i = 0; i < N; i++) {
    let p = <usize>i << 2;
    let a = <i32>load<u8>(rgba + p + 3);
    if (a < 128) {
      store<u8>(lab + <usize>i, TRANSPARENT);
      continue;
    }
    let r = <i32>load<u8>(rgba + p);
    let g = <i32>load<u8>(rgba + p + 1);
    let b = <i32>load<u8>(rgba + p + 2);
    let l = (54 * r + 183 * g + 19 * b) >> 8;
    store<u8>(lab + <usize>i, l < threshold ? 0 : 1);
  }
}

// ---------------------------------------------------------------- speckle filter
// Connected components (4-neighbour) of equal label smaller than `speckle` pixels are merged
// into the neighbouring label they share the longest border with.
let votes = new StaticArray<i32>(256);
function despeckle(): void {
  if (speckle <= 1) return;
  memory.fill(mark, 0, <usize>N);
  for (let s = 0; s < N; s++) {
    if (load<u8>(mark + <usize>s) != 0) continue;
    let c = <i32>load<u8>(lab + <usize>s);
    // BFS
    store<u8>(mark + <usize>s, 1);
    store<i32>(queue, s);
    let qh = 0;
    let qt = 1;
    while (qh < qt) {
      let p = load<i32>(queue + (<usize>qh << 2));
      qh++;
      let x = p % W;
      let y = p / W;
      if (x > 0) qt = visit(p - 1, c, qt);
      if (x + 1 < W) qt = visit(p + 1, c, qt);
      if (y > 0) qt = visit(p - W, c, qt);
      if (y + 1 < H) qt = visit(p + W, c, qt);
    }
    if (qt >= speckle || c == TRANSPARENT) continue;
    // votes from the border
    for (let k = 0; k < 256; k++) unchecked((votes[k] = 0));
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(queue + (<usize>q << 2));
      let x = p % W;
      let y = p / W;
      if (x > 0) vote(p - 1, c);
      if (x + 1 < W) vote(p + 1, c);
      if (y > 0) vote(p - W, c);
      if (y + 1 < H) vote(p + W, c);
    }
    let best = -1;
    let bv = 0;
    for (let k = 0; k < 255; k++) {
      let v = unchecked(votes[k]);
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    if (best < 0) {
      // only transparent around it (or a lone speck covering the image): drop unless it is everything
      if (unchecked(votes[255]) == 0) continue;
      best = TRANSPARENT;
    }
    for (let q = 0; q < qt; q++) {
      let p = load<i32>(queue + (<usize>q << 2));
      store<u8>(lab + <usize>p, <u8>best);
    }
  }
}
@inline function visit(p: i32, c: i32, qt: i32): i32 {
  if (load<u8>(mark + <usize>p) == 0 && <i32>load<u8>(lab + <usize>p) == c) {
    store<u8>(mark + <usize>p, 1);
    store<i32>(queue + (<usize>qt << 2), p);
    return qt + 1;
  }
  return qt;
}
@inline function vote(p: i32, c: i32): void {
  let l = <i32>load<u8>(lab + <usize>p);
  if (l != c) unchecked((votes[l] += 1));
}

// white background removal: near-white regions connected to the border become transparent
function removeWhiteBackground(): void {
  let isWhite = new StaticArray<bool>(256);
  for (let c = 0; c < K; c++) {
    unchecked(
      (isWhite[c] = palR[c] >= 235 && palG[c] >= 235 && palB[c] >= 235 && (mode != MODE_BINARY || c == 1)),
    );
  }
  memory.fill(mark, 0, <usize>N);
  let qt = 0;
  for (let i = 0; i < N; i++) {
    let x = i % W;
    let y = i / W;
    if (x != 0 && y != 0 && x != W - 1 && y != H - 1) continue;
    if (unchecked(isWhite[<i32>load<u8>(lab + <usize>i)])) {
      store<u8>(mark + <usize>i, 1);
      store<i32>(queue + (<usize>qt << 2), i);
      qt++;
    }
  }
  let qh = 0;
  while (qh < qt) {
    let p = load<i32>(queue + (<usize>qh << 2));
    qh++;
    store<u8>(lab + <usize>p, TRANSPARENT);
    let x = p % W;
    let y = p / W;
    if (x > 0) qt = visitWhite(p - 1, isWhite, qt);
    if (x + 1 < W) qt = visitWhite(p + 1, isWhite, qt);
    if (y > 0) qt = visitWhite(p - W, isWhite, qt);
    if (y + 1 < H) qt = visitWhite(p + W, isWhite, qt);
  }
}
@inline function visitWhite(p: i32, isWhite: StaticArray<bool>, qt: i32): i32 {
  if (load<u8>(mark + <usize>p) == 0 && unchecked(isWhite[<i32>load<u8>(lab + <usize>p)])) {
    store<u8>(mark + <usize>p, 1);
    store<i32>(queue + (<usize>qt << 2), p);
    return qt + 1;
  }
  return qt;
}

// ---------------------------------------------------------------- layer order
function computeLayers(): void {
  for (let c = 0; c < K; c++) {
    unchecked((palCount[c] = 0));
    unchecked((palX0[c] = W));
    unchecked((palY0[c] = H));
    unchecked((palX1[c] = -1));
    unchecked((palY1[c] = -1));
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c = <i32>load<u8>(lab + <usize>(y * W + x));
      if (c == TRANSPARENT) continue;
      unchecked((palCount[c] += 1));
      if (x < unchecked(palX0[c])) unchecked((palX0[c] = x));
      if (x > unchecked(palX1[c])) unchecked((palX1[c] = x));
      if (y < unchecked(palY0[c])) unchecked((palY0[c] = y));
      if (y > unchecked(palY1[c])) unchecked((palY1[c] = y));
    }
  }
  // emit flags
  for (let c = 0; c < K; c++) unchecked((palEmit[c] = palCount[c] > 0 && (mode != MODE_BINARY || c == 0) ? 1 : 0));
  // order: bounding-box area desc, then pixel count desc, then index
  let n = 0;
  for (let c = 0; c < K; c++) if (unchecked(palEmit[c]) != 0) unchecked((order[n++] = c));
  for (let i = 1; i < n; i++) {
    let v = unchecked(order[i]);
    let j = i;
    while (j > 0 && layerBefore(v, unchecked(order[j - 1]))) {
      unchecked((order[j] = order[j - 1]));
      j--;
    }
    unchecked((order[j] = v));
  }
  for (let k = 0; k < 256; k++) unchecked((rankOf[k] = -1));
  for (let i = 0; i < n; i++) unchecked((rankOf[order[i]] = i));
  statColors = n;
}
function layerBefore(a: i32, b: i32): bool {
  let aa = <i64>(unchecked(palX1[a]) - unchecked(palX0[a]) + 1) * <i64>(unchecked(palY1[a]) - unchecked(palY0[a]) + 1);
  let ab = <i64>(unchecked(palX1[b]) - unchecked(palX0[b]) + 1) * <i64>(unchecked(palY1[b]) - unchecked(palY0[b]) + 1);
  if (aa != ab) return aa > ab;
  if (unchecked(palCount[a]) != unchecked(palCount[b])) return unchecked(palCount[a]) > unchecked(palCount[b]);
  return a < b;
}

// ---------------------------------------------------------------- growable scratch arrays
let vtx: usize = 0; // i32 pairs: contour turning vertices
let vtxCap: i32 = 0;
let ptX: usize = 0; // f64 points
let ptY: usize = 0;
let ptCap: i32 = 0;
let ptFlag: usize = 0; // u8: 1 = corner
let ptU: usize = 0; // f64 parameters for fitting
let runX: usize = 0;
let runY: usize = 0;
let runCap: i32 = 0;
let stk: usize = 0; // fitting stack: i32 first,last + f64 tangents -> 48 bytes per entry
let stkCap: i32 = 0;

function ensureVtx(n: i32): void {
  if (n <= vtxCap) return;
  let nc = max(n, vtxCap * 2 + 1024);
  vtx = vtx == 0 ? heap.alloc(<usize>nc * 8) : heap.realloc(vtx, <usize>nc * 8);
  vtxCap = nc;
}
function ensurePts(n: i32): void {
  if (n <= ptCap) return;
  let nc = max(n, ptCap * 2 + 1024);
  if (ptX == 0) {
    ptX = heap.alloc(<usize>nc * 8);
    ptY = heap.alloc(<usize>nc * 8);
    ptFlag = heap.alloc(<usize>nc);
  } else {
    ptX = heap.realloc(ptX, <usize>nc * 8);
    ptY = heap.realloc(ptY, <usize>nc * 8);
    ptFlag = heap.realloc(ptFlag, <usize>nc);
  }
  ptCap = nc;
}
function ensureRun(n: i32): void {
  if (n <= runCap) return;
  let nc = max(n, runCap * 2 + 1024);
  if (runX == 0) {
    runX = heap.alloc(<usize>nc * 8);
    runY = heap.alloc(<usize>nc * 8);
    ptU = heap.alloc(<usize>nc * 8);
  } else {
    runX = heap.realloc(runX, <usize>nc * 8);
    runY = heap.realloc(runY, <usize>nc * 8);
    ptU = heap.realloc(ptU, <usize>nc * 8);
  }
  runCap = nc;
}
function ensureStk(n: i32): void {
  if (n <= stkCap) return;
  let nc = max(n, stkCap * 2 + 256);
  stk = stk == 0 ? heap.alloc(<usize>nc * 48) : heap.realloc(stk, <usize>nc * 48);
  stkCap = nc;
}

@inline function PX(i: i32): f64 {
  return load<f64>(ptX + (<usize>i << 3));
}
@inline function PY(i: i32): f64 {
  return load<f64>(ptY + (<usize>i << 3));
}
@inline function RX(i: i32): f64 {
  return load<f64>(runX + (<usize>i << 3));
}
@inline function RY(i: i32): f64 {
  return load<f64>(runY + (<usize>i << 3));
}

// ---------------------------------------------------------------- layer masks and contours
// The mask lives in `mark` as a padded (bw+2)x(bh+2) grid: bit0 = inside, bit1 = left edge visited,
// bit2 = outside-flood / hole visited.
let mw: i32 = 0;
let mh: i32 = 0;
let bx0: i32 = 0;
let by0: i32 = 0;

@inline function M(x: i32, y: i32): i32 {
  return <i32>load<u8>(mark + <usize>(y * mw + x));
}

function traceLayer(c: i32): void {
  let r = unchecked(rankOf[c]);
  let ext = cutout ? 0 : 2;
  let x0 = max(0, unchecked(palX0[c]) - ext);
  let y0 = max(0, unchecked(palY0[c]) - ext);
  let x1 = min(W - 1, unchecked(palX1[c]) + ext);
  let y1 = min(H - 1, unchecked(palY1[c]) + ext);
  bx0 = x0;
  by0 = y0;
  let bw = x1 - x0 + 1;
  let bh = y1 - y0 + 1;
  mw = bw + 2;
  mh = bh + 2;
  memory.fill(mark, 0, <usize>(mw * mh));
  for (let y = 0; y < bh; y++) {
    let row = (y + y0) * W + x0;
    let mrow = (y + 1) * mw + 1;
    for (let x = 0; x < bw; x++) {
      if (<i32>load<u8>(lab + <usize>(row + x)) == c) store<u8>(mark + <usize>(mrow + x), 1);
    }
  }
  // the top layer has nothing above it: no extension and no fillable holes
  if (!cutout && r >= 0 && r < statColors - 1) {
    // extend under the layers drawn above, so their anti-aliased / fitted edges never reveal a gap
    for (let pass = 0; pass < ext; pass++) {
      for (let y = 0; y < bh; y++) {
        let row = (y + y0) * W + x0;
        let mrow = (y + 1) * mw + 1;
        for (let x = 0; x < bw; x++) {
          let mi = mrow + x;
          if (load<u8>(mark + <usize>mi) != 0) continue;
          let l = <i32>load<u8>(lab + <usize>(row + x));
          if (unchecked(rankOf[l]) <= r) continue;
          // any 8-neighbour inside (value 1 only: this pass's additions are 2)
          if (
            (<i32>load<u8>(mark + <usize>(mi - 1)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi + 1)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi - mw)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi + mw)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi - mw - 1)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi - mw + 1)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi + mw - 1)) & 1) != 0 ||
            (<i32>load<u8>(mark + <usize>(mi + mw + 1)) & 1) != 0
          )
            store<u8>(mark + <usize>mi, 2);
        }
      }
      for (let i = 0; i < mw * mh; i++) if (load<u8>(mark + <usize>i) == 2) store<u8>(mark + <usize>i, 1);
    }
    // fill holes that contain only pixels of layers drawn above
    // flood the outside (4-neighbour) from the padding
    let qt = 0;
    store<u8>(mark, 4);
    store<i32>(queue, 0);
    qt = 1;
    let qh = 0;
    while (qh < qt) {
      let p = load<i32>(queue + (<usize>qh << 2));
      qh++;
      let x = p % mw;
      let y = p / mw;
      if (x > 0) qt = visitBg(p - 1, qt);
      if (x + 1 < mw) qt = visitBg(p + 1, qt);
      if (y > 0) qt = visitBg(p - mw, qt);
      if (y + 1 < mh) qt = visitBg(p + mw, qt);
    }
    for (let y = 1; y <= bh; y++) {
      for (let x = 1; x <= bw; x++) {
        let s = y * mw + x;
        if (load<u8>(mark + <usize>s) != 0) continue;
        // a hole component
        store<u8>(mark + <usize>s, 4);
        store<i32>(queue, s);
        qt = 1;
        qh = 0;
        let fillable = true;
        while (qh < qt) {
          let p = load<i32>(queue + (<usize>qh << 2));
          qh++;
          let px = p % mw;
          let py = p / mw;
          let l = <i32>load<u8>(lab + <usize>((py - 1 + y0) * W + (px - 1 + x0)));
          if (unchecked(rankOf[l]) <= r) fillable = false;
          qt = visitBg(p - 1, qt);
          qt = visitBg(p + 1, qt);
          qt = visitBg(p - mw, qt);
          qt = visitBg(p + mw, qt);
        }
        if (fillable) {
          for (let q = 0; q < qt; q++) store<u8>(mark + <usize>load<i32>(queue + (<usize>q << 2)), 1);
        }
      }
    }
    // clear the flood marks (keep bit 0)
    for (let i = 0; i < mw * mh; i++) store<u8>(mark + <usize>i, load<u8>(mark + <usize>i) & 1);
  }
  // contours
  for (let y = 1; y <= bh; y++) {
    for (let x = 1; x <= bw; x++) {
      let v = M(x, y);
      if ((v & 1) == 0 || (v & 2) != 0) continue;
      if ((M(x - 1, y) & 1) != 0) continue;
      traceContour(x, y);
    }
  }
}
@inline function visitBg(p: i32, qt: i32): i32 {
  if (load<u8>(mark + <usize>p) == 0) {
    store<u8>(mark + <usize>p, 4);
    store<i32>(queue + (<usize>qt << 2), p);
    return qt + 1;
  }
  return qt;
}

// direction: 0 N, 1 E, 2 S, 3 W. The inside is kept on the right.
function traceContour(sx: i32, sy: i32): void {
  let vx = sx;
  let vy = sy + 1;
  let dir = 0;
  let n = 0;
  let startVx = vx;
  let startVy = vy;
  let limit = 4 * mw * mh + 8;
  let steps = 0;
  let prevDir = -1;
  while (steps < limit) {
    steps++;
    // record turning vertex
    if (dir != prevDir) {
      ensureVtx(n + 1);
      store<i32>(vtx + (<usize>n << 3), vx);
      store<i32>(vtx + (<usize>n << 3) + 4, vy);
      n++;
      prevDir = dir;
    }
    // move one edge
    if (dir == 0) {
      // left edge of pixel (vx, vy-1)
      let pi = (vy - 1) * mw + vx;
      store<u8>(mark + <usize>pi, load<u8>(mark + <usize>pi) | 2);
      vy--;
    } else if (dir == 1) vx++;
    else if (dir == 2) vy++;
    else vx--;
    // choose next direction
    let al: i32;
    let ar: i32;
    if (dir == 0) {
      al = M(vx - 1, vy - 1);
      ar = M(vx, vy - 1);
    } else if (dir == 1) {
      al = M(vx, vy - 1);
      ar = M(vx, vy);
    } else if (dir == 2) {
      al = M(vx, vy);
      ar = M(vx - 1, vy);
    } else {
      al = M(vx - 1, vy);
      ar = M(vx - 1, vy - 1);
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
      store<i64>(vtx + (<usize>(i - 1) << 3), load<i64>(vtx + (<usize>i << 3)));
    }
    n--;
  }
  if (n < 4) return; // degenerate (cannot happen for a closed rectilinear loop)
  fitContour(n);
}

// ---------------------------------------------------------------- curve fitting
function fitContour(m: i32): void {
  // 1. points: edge midpoints (staircase removal), real corners kept, samples along straight edges
  let n = 0;
  ensurePts(m * 4 + 16);
  for (let i = 0; i < m; i++) {
    let inx = i + 1 == m ? 0 : i + 1;
    let bx = VX(i);
    let by = VY(i);
    let cx = VX(inx);
    let cy = VY(inx);
    let l1 = Math.abs(cx - bx) + Math.abs(cy - by);
    let kb = keptAt(i, m);
    let kc = keptAt(inx, m);
    if (kb) addPt(n++, bx, by, 1);
    if (l1 >= 6) {
      // long edges are sampled (sparse points let a cubic swing between them); near a soft end
      // (a staircase step) samples stay 2.5 px away, where the staircase bias is small
      let ux = (cx - bx) / l1;
      let uy = (cy - by) / l1;
      let t0: f64 = kb ? 1 : 2.5;
      let t1: f64 = kc ? l1 - 1 : l1 - 2.5;
      let k = <i32>Math.floor((t1 - t0) / 3);
      if (k < 1) k = 1;
      ensurePts(n + k + 8);
      for (let j = 0; j <= k; j++) {
        let t = t0 + ((t1 - t0) * <f64>j) / <f64>k;
        addPt(n++, bx + ux * t, by + uy * t, 0);
      }
    } else {
      addPt(n++, (bx + cx) * 0.5, (by + cy) * 0.5, 0);
    }
    ensurePts(n + 8);
  }
  ptCountCur = n;
  if (n < 3) return;
  // 2. corners: turning angle measured between neighbours ~2.5 px away
  let rad = 2.0;
  ensureRun(n + 2);
  for (let i = 0; i < n; i++) {
    let f = <i32>load<u8>(ptFlag + <usize>i);
    let a = i;
    let steps = 0;
    while (steps < n - 1) {
      a = a == 0 ? n - 1 : a - 1;
      steps++;
      if (dist(a, i) >= rad) break;
    }
    let b = i;
    steps = 0;
    while (steps < n - 1) {
      b = b + 1 == n ? 0 : b + 1;
      steps++;
      if (dist(b, i) >= rad) break;
    }
    let ux = PX(i) - PX(a);
    let uy = PY(i) - PY(a);
    let vx = PX(b) - PX(i);
    let vy = PY(b) - PY(i);
    let lu = Math.sqrt(ux * ux + uy * uy);
    let lv = Math.sqrt(vx * vx + vy * vy);
    let cs: f64 = 1;
    if (lu > 0 && lv > 0) cs = (ux * vx + uy * vy) / (lu * lv);
    // store cos of turning angle in runX temporarily (as f64 per point)
    store<f64>(runX + (<usize>i << 3), cs);
    store<u8>(ptFlag + <usize>i, <u8>(f & 1));
  }
  let nc = 0;
  for (let i = 0; i < n; i++) {
    let cs = load<f64>(runX + (<usize>i << 3));
    let f = <i32>load<u8>(ptFlag + <usize>i);
    let isCorner = false;
    if (f == 1) {
      // a kept lattice corner: corner if the local turn is sharp enough
      isCorner = cs < cornerCos + 1e-9;
    } else if (cs < cornerCos) {
      // non-maximum suppression among neighbours within the radius
      let prev = i == 0 ? n - 1 : i - 1;
      let next = i + 1 == n ? 0 : i + 1;
      let cp = load<f64>(runX + (<usize>prev << 3));
      let cn = load<f64>(runX + (<usize>next << 3));
      isCorner = cs <= cp && cs < cn;
      if (<i32>load<u8>(ptFlag + <usize>prev) == 1 || <i32>load<u8>(ptFlag + <usize>next) == 1) isCorner = false;
    }
    store<u8>(ptFlag + <usize>i, isCorner ? 3 : f);
    if (isCorner) nc++;
  }
  // 3. emit
  let first = 0;
  if (nc == 0) {
    penMove(PX(0), PY(0));
    let half = n / 2;
    if (half < 1) half = 1;
    fitRun(0, half, false, false, false);
    fitRun(half, n, false, false, true);
  } else {
    while ((<i32>load<u8>(ptFlag + <usize>first) & 2) == 0) first++;
    penMove(PX(first), PY(first));
    let s = first;
    let k = 0;
    while (k < nc) {
      let e = s + 1;
      while ((<i32>load<u8>(ptFlag + <usize>(e % n)) & 2) == 0) e++;
      k++;
      fitRun(s, e, true, true, k == nc);
      s = e;
    }
  }
  penClose();
}
@inline function VX(i: i32): f64 {
  return <f64>(load<i32>(vtx + (<usize>i << 3)) - 1 + bx0);
}
@inline function VY(i: i32): f64 {
  return <f64>(load<i32>(vtx + (<usize>i << 3) + 4) - 1 + by0);
}
// a lattice vertex is kept as a real corner when both adjacent edges are long enough
function keptAt(i: i32, m: i32): bool {
  let ip = i == 0 ? m - 1 : i - 1;
  let inx = i + 1 == m ? 0 : i + 1;
  let l0 = Math.abs(VX(i) - VX(ip)) + Math.abs(VY(i) - VY(ip));
  let l1 = Math.abs(VX(inx) - VX(i)) + Math.abs(VY(inx) - VY(i));
  return min(l0, l1) >= 2 && max(l0, l1) >= 3;
}
@inline function addPt(i: i32, x: f64, y: f64, f: i32): void {
  store<f64>(ptX + (<usize>i << 3), x);
  store<f64>(ptY + (<usize>i << 3), y);
  store<u8>(ptFlag + <usize>i, <u8>f);
}
@inline function dist(a: i32, b: i32): f64 {
  let dx = PX(a) - PX(b);
  let dy = PY(a) - PY(b);
  return Math.sqrt(dx * dx + dy * dy);
}

let tgX: f64 = 0;
let tgY: f64 = 0;
// unit tangent at run index i using neighbours about 1.5-3 px away (within [0, n-1] of the run)
function runTangent(i: i32, n: i32, dirSign: i32, central: bool): void {
  // central: from i-k to i+k; else one-sided in direction dirSign (+1 forward, -1 backward)
  let a = i;
  let b = i;
  if (central || dirSign < 0) {
    while (a > 0) {
      a--;
      let dx = RX(a) - RX(i);
      let dy = RY(a) - RY(i);
      if (dx * dx + dy * dy >= 6.25) break;
    }
  }
  if (central || dirSign > 0) {
    while (b < n - 1) {
      b++;
      let dx = RX(b) - RX(i);
      let dy = RY(b) - RY(i);
      if (dx * dx + dy * dy >= 6.25) break;
    }
  }
  let tx = RX(b) - RX(a);
  let ty = RY(b) - RY(a);
  if (!central && dirSign < 0) {
    tx = RX(a) - RX(b);
    ty = RY(a) - RY(b);
  }
  let l = Math.sqrt(tx * tx + ty * ty);
  if (l < 1e-12) {
    tgX = 0;
    tgY = 0;
    return;
  }
  tgX = tx / l;
  tgY = ty / l;
}

// fits points [s, e] (indices modulo n into the point list, e may be >= n) as one run.
// cornerStart/cornerEnd: whether the ends are corners (one-sided tangents) or smooth joints.
function fitRun(s: i32, e: i32, cornerStart: bool, cornerEnd: bool, isLast: bool): void {
  let n = ptCountCur;
  let len = e - s + 1;
  // copy into run arrays with a margin of up to 8 points on each side for smooth joints
  let margin = 8;
  if (margin > n) margin = n;
  let total = len + 2 * margin;
  ensureRun(total + 2);
  for (let j = 0; j < total; j++) {
    let src = (((s - margin + j) % n) + n) % n;
    store<f64>(runX + (<usize>j << 3), PX(src));
    store<f64>(runY + (<usize>j << 3), PY(src));
  }
  let f = margin;
  let l = margin + len - 1;
  // end tangents
  let t1x: f64;
  let t1y: f64;
  let t2x: f64;
  let t2y: f64;
  if (cornerStart) {
    runTangentRange(f, f, l, 1);
  } else {
    runTangentRange(f, 0, total - 1, 0);
  }
  t1x = tgX;
  t1y = tgY;
  if (cornerEnd) {
    runTangentRange(l, f, l, -1);
    t2x = tgX;
    t2y = tgY;
  } else {
    runTangentRange(l, 0, total - 1, 0);
    t2x = -tgX;
    t2y = -tgY;
  }
  if (polygons) {
    fitPolyline(f, l, isLast);
    return;
  }
  // iterative Schneider fitting
  ensureStk(16);
  let sp = 0;
  pushSeg(sp++, f, l, t1x, t1y, t2x, t2y);
  while (sp > 0) {
    sp--;
    let o = stk + <usize>sp * 48;
    let a = load<i32>(o);
    let b = load<i32>(o + 4);
    let ax = load<f64>(o + 8);
    let ay = load<f64>(o + 16);
    let bxv = load<f64>(o + 24);
    let byv = load<f64>(o + 32);
    let last = isLast && b == l;
    let split = fitSegment(a, b, ax, ay, bxv, byv, last);
    if (split < 0) continue;
    // center tangent at split
    let cx = RX(split - 1) - RX(split + 1);
    let cy = RY(split - 1) - RY(split + 1);
    let cl = Math.sqrt(cx * cx + cy * cy);
    if (cl < 1e-12) {
      cx = RX(a) - RX(b);
      cy = RY(a) - RY(b);
      cl = Math.sqrt(cx * cx + cy * cy);
      if (cl < 1e-12) cl = 1;
    }
    cx /= cl;
    cy /= cl;
    ensureStk(sp + 2);
    pushSeg(sp++, split, b, -cx, -cy, bxv, byv);
    pushSeg(sp++, a, split, ax, ay, cx, cy);
  }
}
let ptCountCur: i32 = 0;
function runTangentRange(i: i32, lo: i32, hi: i32, dirSign: i32): void {
  let a = i;
  let b = i;
  if (dirSign <= 0) {
    while (a > lo) {
      a--;
      let dx = RX(a) - RX(i);
      let dy = RY(a) - RY(i);
      if (dx * dx + dy * dy >= 6.25) break;
    }
  }
  if (dirSign >= 0) {
    while (b < hi) {
      b++;
      let dx = RX(b) - RX(i);
      let dy = RY(b) - RY(i);
      if (dx * dx + dy * dy >= 6.25) break;
    }
  }
  let tx: f64;
  let ty: f64;
  if (dirSign < 0) {
    tx = RX(a) - RX(i);
    ty = RY(a) - RY(i);
  } else if (dirSign > 0) {
    tx = RX(b) - RX(i);
    ty = RY(b) - RY(i);
  } else {
    tx = RX(b) - RX(a);
    ty = RY(b) - RY(a);
  }
  let l = Math.sqrt(tx * tx + ty * ty);
  if (l < 1e-12) {
    tgX = 1;
    tgY = 0;
    return;
  }
  tgX = tx / l;
  tgY = ty / l;
}
@inline function pushSeg(i: i32, a: i32, b: i32, ax: f64, ay: f64, bx: f64, by: f64): void {
  let o = stk + <usize>i * 48;
  store<i32>(o, a);
  store<i32>(o + 4, b);
  store<f64>(o + 8, ax);
  store<f64>(o + 16, ay);
  store<f64>(o + 24, bx);
  store<f64>(o + 32, by);
}

// Douglas-Peucker for the polygon output
function fitPolyline(f: i32, l: i32, isLast: bool): void {
  ensureStk(16);
  let sp = 0;
  pushSeg(sp++, f, l, 0, 0, 0, 0);
  while (sp > 0) {
    sp--;
    let o = stk + <usize>sp * 48;
    let a = load<i32>(o);
    let b = load<i32>(o + 4);
    let x0 = RX(a);
    let y0 = RY(a);
    let dx = RX(b) - x0;
    let dy = RY(b) - y0;
    let dl = Math.sqrt(dx * dx + dy * dy);
    let worst = -1;
    let wd: f64 = 0;
    for (let i = a + 1; i < b; i++) {
      let px = RX(i) - x0;
      let py = RY(i) - y0;
      let d = dl > 1e-9 ? Math.abs(px * dy - py * dx) / dl : Math.sqrt(px * px + py * py);
      if (d > wd) {
        wd = d;
        worst = i;
      }
    }
    if (worst < 0 || wd <= fitTol) {
      penLine(RX(b), RY(b), isLast && b == l);
      continue;
    }
    ensureStk(sp + 2);
    pushSeg(sp++, worst, b, 0, 0, 0, 0);
    pushSeg(sp++, a, worst, 0, 0, 0, 0);
  }
}

// Bezier helpers
let bzX = new StaticArray<f64>(4);
let bzY = new StaticArray<f64>(4);
let qx: f64 = 0;
let qy: f64 = 0;
@inline function bez(t: f64): void {
  let mt = 1 - t;
  let b0 = mt * mt * mt;
  let b1 = 3 * mt * mt * t;
  let b2 = 3 * mt * t * t;
  let b3 = t * t * t;
  qx = b0 * unchecked(bzX[0]) + b1 * unchecked(bzX[1]) + b2 * unchecked(bzX[2]) + b3 * unchecked(bzX[3]);
  qy = b0 * unchecked(bzY[0]) + b1 * unchecked(bzY[1]) + b2 * unchecked(bzY[2]) + b3 * unchecked(bzY[3]);
}

// returns -1 when the segment [a,b] was emitted, else the split index
function fitSegment(a: i32, b: i32, t1x: f64, t1y: f64, t2x: f64, t2y: f64, isLast: bool): i32 {
  let x0 = RX(a);
  let y0 = RY(a);
  let x3 = RX(b);
  let y3 = RY(b);
  let dx = x3 - x0;
  let dy = y3 - y0;
  let chord = Math.sqrt(dx * dx + dy * dy);
  if (b - a <= 1) {
    penLine(x3, y3, isLast);
    return -1;
  }
  // straight?
  let lineTol = fitTol < 0.5 ? fitTol : 0.5;
  let worst = a + 1;
  let wd: f64 = 0;
  for (let i = a + 1; i < b; i++) {
    let px = RX(i) - x0;
    let py = RY(i) - y0;
    let d = chord > 1e-9 ? Math.abs(px * dy - py * dx) / chord : Math.sqrt(px * px + py * py);
    if (d > wd) {
      wd = d;
      worst = i;
    }
  }
  if (wd <= lineTol) {
    penLine(x3, y3, isLast);
    return -1;
  }
  if (chord < 1e-9) {
    return worst > a && worst < b ? worst : -1;
  }
  // chord-length parameterisation
  store<f64>(ptU + (<usize>a << 3), 0);
  let acc: f64 = 0;
  for (let i = a + 1; i <= b; i++) {
    let ex = RX(i) - RX(i - 1);
    let ey = RY(i) - RY(i - 1);
    acc += Math.sqrt(ex * ex + ey * ey);
    store<f64>(ptU + (<usize>i << 3), acc);
  }
  if (acc <= 1e-12) acc = 1;
  for (let i = a + 1; i <= b; i++) store<f64>(ptU + (<usize>i << 3), load<f64>(ptU + (<usize>i << 3)) / acc);
  let tol2 = fitTol * fitTol;
  let splitAt = worst;
  for (let iter = 0; iter < 5; iter++) {
    generateBezier(a, b, t1x, t1y, t2x, t2y, chord);
    // max error
    let me: f64 = 0;
    let mi = (a + b) >> 1;
    for (let i = a + 1; i < b; i++) {
      bez(load<f64>(ptU + (<usize>i << 3)));
      let ex = qx - RX(i);
      let ey = qy - RY(i);
      let e = ex * ex + ey * ey;
      if (e > me) {
        me = e;
        mi = i;
      }
    }
    if (me <= tol2) {
      penCubic(
        unchecked(bzX[1]),
        unchecked(bzY[1]),
        unchecked(bzX[2]),
        unchecked(bzY[2]),
        unchecked(bzX[3]),
        unchecked(bzY[3]),
      );
      return -1;
    }
    splitAt = mi;
    if (me > 16 * tol2) break;
    reparameterize(a, b);
  }
  if (splitAt <= a || splitAt >= b) splitAt = (a + b) >> 1;
  if (splitAt <= a || splitAt >= b) {
    penLine(x3, y3, isLast);
    return -1;
  }
  return splitAt;
}

function generateBezier(a: i32, b: i32, t1x: f64, t1y: f64, t2x: f64, t2y: f64, chord: f64): void {
  let x0 = RX(a);
  let y0 = RY(a);
  let x3 = RX(b);
  let y3 = RY(b);
  let c00: f64 = 0;
  let c01: f64 = 0;
  let c11: f64 = 0;
  let X0: f64 = 0;
  let X1: f64 = 0;
  for (let i = a; i <= b; i++) {
    let u = load<f64>(ptU + (<usize>i << 3));
    let mu = 1 - u;
    let b0 = mu * mu * mu;
    let b1 = 3 * mu * mu * u;
    let b2 = 3 * mu * u * u;
    let b3 = u * u * u;
    let a1x = t1x * b1;
    let a1y = t1y * b1;
    let a2x = t2x * b2;
    let a2y = t2y * b2;
    c00 += a1x * a1x + a1y * a1y;
    c01 += a1x * a2x + a1y * a2y;
    c11 += a2x * a2x + a2y * a2y;
    let tx = RX(i) - (x0 * (b0 + b1) + x3 * (b2 + b3));
    let ty = RY(i) - (y0 * (b0 + b1) + y3 * (b2 + b3));
    X0 += a1x * tx + a1y * ty;
    X1 += a2x * tx + a2y * ty;
  }
  let det = c00 * c11 - c01 * c01;
  let al: f64 = 0;
  let ar: f64 = 0;
  if (Math.abs(det) > 1e-12) {
    al = (X0 * c11 - X1 * c01) / det;
    ar = (c00 * X1 - c01 * X0) / det;
  }
  let eps = 1e-6 * chord;
  if (!(al > eps) || !(ar > eps) || al > chord || ar > chord) {
    al = chord / 3;
    ar = chord / 3;
  }
  unchecked((bzX[0] = x0));
  unchecked((bzY[0] = y0));
  unchecked((bzX[1] = x0 + t1x * al));
  unchecked((bzY[1] = y0 + t1y * al));
  unchecked((bzX[2] = x3 + t2x * ar));
  unchecked((bzY[2] = y3 + t2y * ar));
  unchecked((bzX[3] = x3));
  unchecked((bzY[3] = y3));
}

function reparameterize(a: i32, b: i32): void {
  let x0 = unchecked(bzX[0]);
  let y0 = unchecked(bzY[0]);
  let x1 = unchecked(bzX[1]);
  let y1 = unchecked(bzY[1]);
  let x2 = unchecked(bzX[2]);
  let y2 = unchecked(bzY[2]);
  let x3 = unchecked(bzX[3]);
  let y3 = unchecked(bzY[3]);
  for (let i = a + 1; i < b; i++) {
    let o = ptU + (<usize>i << 3);
    let u = load<f64>(o);
    bez(u);
    let mu = 1 - u;
    // first derivative
    let d1x = 3 * (mu * mu * (x1 - x0) + 2 * mu * u * (x2 - x1) + u * u * (x3 - x2));
    let d1y = 3 * (mu * mu * (y1 - y0) + 2 * mu * u * (y2 - y1) + u * u * (y3 - y2));
    // second derivative
    let d2x = 6 * (mu * (x2 - 2 * x1 + x0) + u * (x3 - 2 * x2 + x1));
    let d2y = 6 * (mu * (y2 - 2 * y1 + y0) + u * (y3 - 2 * y2 + y1));
    let ex = qx - RX(i);
    let ey = qy - RY(i);
    let num = ex * d1x + ey * d1y;
    let den = d1x * d1x + d1y * d1y + ex * d2x + ey * d2y;
    if (Math.abs(den) > 1e-12) {
      let nu = u - num / den;
      if (nu < 0) nu = 0;
      if (nu > 1) nu = 1;
      if (nu == nu) store<f64>(o, nu);
    }
  }
}

// ---------------------------------------------------------------- main entry
// returns 0 on success; the SVG is at resultPtr()/resultLen()
export function trace(
  ptr: usize,
  w: i32,
  h: i32,
  origW: f64,
  origH: f64,
  pMode: i32,
  pColors: i32,
  pDetail: f64,
  pSmooth: f64,
  pCorner: f64,
  pSpeckle: i32,
  pPolygons: i32,
  pCutout: i32,
  pPrecision: i32,
  pDropWhite: i32,
  pThreshold: i32,
): i32 {
  if (w <= 0 || h <= 0) return 1;
  initColor();
  W = w;
  H = h;
  N = w * h;
  rgba = ptr;
  mode = pMode;
  wantColors = pColors;
  detail = pDetail;
  fitTol = 0.35 + 0.012 * pSmooth; // smoothness 0..100 -> 0.35..1.55 px
  cornerCos = Math.cos((pCorner * Math.PI) / 180);
  speckle = pSpeckle;
  polygons = pPolygons != 0;
  cutout = pCutout != 0;
  precision = pPrecision < 0 ? 0 : pPrecision > 3 ? 3 : pPrecision;
  pscale = Math.pow(10, <f64>precision);
  dropWhite = pDropWhite != 0;
  threshold = pThreshold;
  outW = origW;
  outH = origH;
  scaleX = origW / <f64>w;
  scaleY = origH / <f64>h;
  statPaths = 0;
  statSubpaths = 0;
  statSegments = 0;
  statColors = 0;
  outLen = 0;

  lab = heap.alloc(<usize>N);
  let padded = <usize>(w + 2) * <usize>(h + 2);
  mark = heap.alloc(padded);
  queue = heap.alloc(padded * 4);

  progress(1, 0);
  if (mode == MODE_BINARY) {
    binarize();
  } else {
    lut = heap.alloc(1 << 18);
    quantize();
    progress(1, 0.6);
    mapPixels();
    heap.free(lut);
  }
  progress(1, 0.8);
  despeckle();
  if (dropWhite) removeWhiteBackground();
  computeLayers();
  progress(1, 1);

  // svg header
  outStr('<svg xmlns="http://www.w3.org/2000/svg" width="');
  outDim(origW);
  outStr('" height="');
  outDim(origH);
  outStr('" viewBox="0 0 ');
  outDim(origW);
  outByte(32);
  outDim(origH);
  outStr('">');
  let nl = statColors;
  for (let i = 0; i < nl; i++) {
    let c = unchecked(order[i]);
    progress(2, <f64>i / <f64>nl);
    let mark0 = outLen;
    let sub0 = statSubpaths;
    outStr('<path fill="#');
    let r = clamp255(unchecked(palR[c]));
    let g = clamp255(unchecked(palG[c]));
    let b = clamp255(unchecked(palB[c]));
    if ((r >> 4) == (r & 15) && (g >> 4) == (g & 15) && (b >> 4) == (b & 15)) {
      outByte(HEX.charCodeAt(r & 15));
      outByte(HEX.charCodeAt(g & 15));
      outByte(HEX.charCodeAt(b & 15));
    } else {
      outHex2(r);
      outHex2(g);
      outHex2(b);
    }
    outStr('" d="');
    penX = 0;
    penY = 0;
    lastNum = false;
    lastDot = false;
    lastCmd = 0;
    traceLayerWrapped(c);
    if (statSubpaths == sub0) {
      outLen = mark0;
      continue;
    }
    outStr('"/>');
    statPaths++;
  }
  progress(2, 1);
  outStr("</svg>");
  heap.free(lab);
  heap.free(mark);
  heap.free(queue);
  return 0;
}
function traceLayerWrapped(c: i32): void {
  traceLayer(c);
}
function clamp255(v: f64): i32 {
  let i = <i32>Math.round(v);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}
function outDim(v: f64): void {
  // dimensions: integers, or up to 3 decimals
  let n = <i64>Math.round(v * 1000);
  let ip = n / 1000;
  let fp = n % 1000;
  outUint(ip);
  if (fp != 0) {
    outByte(46);
    let d = 3;
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
    for (let i = digits; i < d; i++) outByte(48);
    outUint(fp);
  }
}
