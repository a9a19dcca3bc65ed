// Centerline mode (`mode: "centerline"`): dark lines become single open paths along their middle,
// stroked with the width measured from the image, for cutting, plotting, engraving and embroidery.
// Stages, one module each: binarize (ink.ts, specks.ts) -> wide areas out of the ink (wide.ts,
// optional) -> skeletonize (skeleton.ts) -> graph, spur pruning, junction merging (graph.ts) ->
// junction pairing into strokes (strokes.ts) -> sub-pixel middle, width and colour (profile.ts) ->
// junction ends placed on the lines they meet (anchors.ts) -> curve fit (fit.ts) -> output (wide areas as fills first, then stroke-writer.ts). Only ink is
// painted: the ground stays empty, as in binary mode.
import { progress, tick } from "../env";
import { Options } from "../options";
import { Frame } from "../prepare";
import { SvgWriter } from "../svg";
import { InkColours } from "./colours";
import { distanceTransform } from "./distance";
import { CurveFitter } from "./fit";
import { placeAnchors } from "./anchors";
import { buildGraph, joinThrough, mergeJunctions, pruneSpurs } from "./graph";
import { binarizeInk, Ink } from "./ink";
import { refineStroke } from "./profile";
import { thin } from "./skeleton";
import { removeSpecks } from "./specks";
import { writeStrokes } from "./stroke-writer";
import { collectStrokes, pairArms } from "./strokes";
import { findWideAreas, wideColour, writeWideAreas } from "./wide";

/** Traces the frame in centerline mode into `out` (header written by the caller); returns the colours used. */
export function traceCenterline(f: Frame, o: Options, out: SvgWriter): i32 {
  let w = f.w;
  let h = f.h;
  progress(1, 0);
  let ink = new Ink(w, h);
  binarizeInk(f, o, ink);
  progress(1, 0.25);
  removeSpecks(f, ink, o.speckle);
  progress(1, 0.4);
  let dt = heap.alloc(<usize>f.n << 2);
  distanceTransform(ink.mask, 0, w, h, true, dt);
  progress(1, 0.6);
  let colours = new InkColours();
  let wideInk = -1;
  if (o.fillWide && findWideAreas(f, o, ink, dt)) {
    let c = wideColour(f, ink);
    wideInk = colours.add(c[0], c[1], c[2], c[3]);
  }
  progress(1, 1);

  // skeleton in the padded `mark` grid
  let pw = w + 2;
  memory.fill(f.mark, 0, <usize>pw * <usize>(h + 2));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (ink.isInk(y * w + x)) store<u8>(f.mark + <usize>((y + 1) * pw + x + 1), 1);
  progress(2, 0);
  thin(f.mark, w, h, f.queue);
  progress(2, 0.3);
  let g = buildGraph(f.mark, w, h, f.queue, dt);
  // spurs shorter than the line is wide (+2 px); forks closer than the lines are wide are one junction
  pruneSpurs(g, 2, 2);
  mergeJunctions(g, 1, 2);
  pruneSpurs(g, 2, 2);
  joinThrough(g);
  let strokes = collectStrokes(g, pairArms(g));
  progress(2, 0.5);

  let maxHalf = o.maxStrokeWidth / 2 + 1;
  let inkOf = new Array<i32>(strokes.length);
  for (let i = 0; i < strokes.length; i++) {
    tick();
    let s = strokes[i];
    refineStroke(s, ink, f, dt, maxHalf);
    inkOf[i] = colours.add(s.r, s.g, s.b, <f64>s.xs.length * s.width);
  }
  placeAnchors(strokes, g);
  colours.limit(o.colors);
  progress(2, 0.7);

  if (wideInk >= 0) writeWideAreas(f, o, colours.final(wideInk, o), out);
  // half the outline tolerance: a line is judged by its middle, which has no second side to hide behind
  let fitter = new CurveFitter(o.fitTol * 0.5, o.cornerCos, out);
  writeStrokes(strokes, inkOf, colours, o, fitter, out);
  progress(2, 1);
  heap.free(dt);
  ink.dispose();
  return colours.distinct(o);
}
