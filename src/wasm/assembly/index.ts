// Edgecraft tracer: raster (RGBA) -> SVG. AssemblyScript, compiled by scripts/build-wasm.mjs.
// The pipeline, one module per stage: prepare (Frame) -> quantize -> segment -> contour -> fit ->
// svg write. Raw-memory style: pixel buffers come from heap.alloc; the few managed objects are made
// once per trace and the host uses a fresh instance per call (the memory is imported and may be an
// earlier call's, zeroed: core.ts), so no GC is ever needed. Every loop is
// bounded by the image size.
import { initColor } from "./color";
import { Contour, isContourStart, traceContour } from "./contour";
import { progress, tick } from "./env";
import { Fitter } from "./fit";
import { traceCenterline } from "./centerline/index";
import { PolyFitter } from "./polygon";
import {
  MODE_BINARY,
  MODE_CENTERLINE,
  OPTION_COUNT,
  Options,
  STOP_CONTOUR,
  STOP_GRADIENTS,
  STOP_NONE,
  STOP_QUANTIZE,
  STOP_SEGMENT,
} from "./options";
import { Fills, findGradients } from "./gradients";
import { Frame, markThin } from "./prepare";
import { binarize, Palette, quantize } from "./quantize";
import { computeLayers, despeckle, LayerMask, Layers, buildLayerMask, removeWhiteBackground } from "./segment";
import { writeContours, writeLabels, writeMask } from "./stages";
import { SvgWriter } from "./svg";

let result: SvgWriter | null = null;
let colorsOut: i32 = 0;

export function alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}
export function free(ptr: usize): void {
  heap.free(ptr);
}
/** fields of the options struct `trace` reads (the host checks it writes as many) */
export function optionCount(): i32 {
  return OPTION_COUNT;
}
export function resultPtr(): usize {
  return result == null ? 0 : result!.ptr;
}
export function resultLen(): i32 {
  return result == null ? 0 : result!.len;
}
/** 0 paths, 1 sub-paths, 2 segments, 3 colours (layers), 4 memory bytes */
export function stat(i: i32): f64 {
  let r = result;
  if (i == 4) return <f64>(<i64>memory.size() * 65536);
  if (r == null) return 0;
  if (i == 0) return <f64>r.paths;
  if (i == 1) return <f64>r.subpaths;
  if (i == 2) return <f64>r.segments;
  if (i == 3) return <f64>colorsOut;
  return 0;
}

/**
 * Traces w x h RGBA pixels at `ptr` with the options struct at `opts` (see options.ts).
 * Returns 0 on success; the SVG is at resultPtr()/resultLen().
 */
export function trace(ptr: usize, w: i32, h: i32, opts: usize): i32 {
  if (w <= 0 || h <= 0) return 1;
  initColor();
  let o = Options.read(opts);
  let f = new Frame(ptr, w, h);
  let out = new SvgWriter(o.precision, o.outW / <f64>w, o.outH / <f64>h);
  result = out;
  colorsOut = 0;
  if (o.mode == MODE_CENTERLINE) {
    out.header(o.outW, o.outH);
    colorsOut = traceCenterline(f, o, out);
    return finish(f, out);
  }

  // quantize
  let pal = new Palette();
  progress(1, 0);
  // the stroke map (binary mode leaves coverage to its threshold and needs none)
  if (o.mode != MODE_BINARY) markThin(f);
  else memory.fill(f.thin, 0, <usize>f.n);
  // a progress call between the long steps also lets the host breathe (it may suspend the trace here)
  progress(1, 0.1);
  if (o.mode == MODE_BINARY) binarize(f, o, pal);
  else quantize(f, o, pal);
  progress(1, 0.8);
  out.header(o.outW, o.outH);
  if (o.stopAfter == STOP_QUANTIZE) {
    writeLabels(f, pal, out);
    return finish(f, out);
  }

  // segment
  despeckle(f, o);
  if (o.dropWhite) removeWhiteBackground(f, o, pal);
  progress(1, 0.85);
  let fills = new Fills();
  if (o.stopAfter != STOP_SEGMENT) findGradients(f, o, pal, fills);
  progress(1, 0.95);
  let ly = new Layers();
  computeLayers(f, o, pal, ly);
  colorsOut = ly.n;
  progress(1, 1);

  // per layer: mask -> contours -> fitted paths
  let mask = new LayerMask();
  let ct = new Contour();
  let fitter = new Fitter(o, f, ly.solid, ct, out);
  let poly = new PolyFitter(o.smoothness, o.polygons, ct, out);
  let nl = ly.n;
  for (let i = 0; i < nl; i++) {
    let c = unchecked(ly.order[i]);
    progress(2, <f64>i / <f64>nl);
    buildLayerMask(f, o, ly, mask, c);
    let mark0 = out.len;
    let sub0 = out.subpaths;
    let g = unchecked(fills.byLabel[c]);
    if (g != null && (o.stopAfter == STOP_NONE || o.stopAfter == STOP_GRADIENTS)) out.beginGradientPath(g, i);
    else out.beginPath(unchecked(pal.r[c]), unchecked(pal.g[c]), unchecked(pal.b[c]), unchecked(pal.a[c]));
    if (o.stopAfter == STOP_SEGMENT || o.stopAfter == STOP_GRADIENTS) writeMask(mask, out);
    else if (o.stopAfter == STOP_CONTOUR) writeContours(mask, ct, out);
    else {
      let bw = mask.mw - 2;
      let bh = mask.mh - 2;
      for (let y = 1; y <= bh; y++) {
        for (let x = 1; x <= bw; x++) {
          if (!isContourStart(mask, x, y)) continue;
          tick();
          let n = traceContour(mask, ct, x, y);
          if (n < 4) continue;
          if (o.mode == MODE_BINARY) poly.fit(n, mask.bx0, mask.by0);
          else fitter.fit(n, mask);
        }
      }
    }
    if (out.subpaths == sub0) {
      out.len = mark0;
      continue;
    }
    out.endPath();
  }
  progress(2, 1);
  return finish(f, out);
}

function finish(f: Frame, out: SvgWriter): i32 {
  out.footer();
  f.dispose();
  return 0;
}
