// Small images for the per-stage golden tests: each exercises one concern of the pipeline.

import type { TraceStopAfter } from "../../src/wasm/core";
import type { TraceOptions } from "../../src/wasm/shared";
import { bilinearRamp, drawn, image, type Px, segmentDistance } from "./pixels";

const RED: Px = [220, 40, 40, 255];
const INK: Px = [20, 20, 30, 255];
const WHITE: Px = [255, 255, 255, 255];
const CLEAR: Px = [0, 0, 0, 0];

export interface StageFixture {
  name: string;
  build: () => ReturnType<typeof image>;
  options: TraceOptions;
}

export const STAGE_FIXTURES: StageFixture[] = [
  {
    // anti-aliased edges against transparency, a hole, a ring on top
    name: "disc-on-transparent",
    build: () =>
      drawn(32, 32, CLEAR, [
        { color: RED, inside: (x, y) => Math.hypot(x - 16, y - 16) < 13 && Math.hypot(x - 16, y - 16) > 4 },
        { color: INK, inside: (x, y) => Math.abs(Math.hypot(x - 16, y - 16) - 9) < 1.2 },
      ]),
    options: {},
  },
  {
    // three flat colours meeting on straight and diagonal edges (layer order, stacking)
    name: "flag",
    build: () => image(36, 24, (x, y) => (y < 8 ? [0, 90, 180, 255] : x + y < 34 ? [250, 210, 0, 255] : RED)),
    options: {},
  },
  {
    // 1-2 px strokes, dark and coloured, on white
    name: "thin-lines",
    build: () =>
      drawn(40, 40, WHITE, [
        { color: INK, inside: (x, y) => segmentDistance(x, y, 3, 4, 36, 30) < 0.6 },
        { color: [30, 120, 220, 255], inside: (x, y) => segmentDistance(x, y, 4, 36, 34, 8) < 1 },
      ]),
    options: {},
  },
  {
    // a smooth ramp
    name: "ramp",
    build: () =>
      image(64, 40, (x) => [40 + Math.round(x * 3), 80 + Math.round(x * 1.5), 200 - Math.round(x * 2), 255]),
    options: {},
  },
  {
    // a ramp in two directions: one bilinear fill
    name: "bilinear",
    build: () => bilinearRamp(128, 96),
    options: {},
  },
  {
    // binary mode: a letter-like shape with a counter
    name: "glyph-binary",
    build: () =>
      drawn(40, 40, WHITE, [
        {
          color: [0, 0, 0, 255],
          inside: (x, y) => {
            const d = Math.hypot((x - 20) / 14, (y - 20) / 17);
            return d < 1 && Math.hypot((x - 20) / 8, (y - 20) / 11) > 1;
          },
        },
      ]),
    options: { mode: "binary" },
  },
];

export const STAGES: Array<TraceStopAfter | "final"> = [
  "quantize",
  "segment",
  "gradients",
  "contour",
  "final",
];

export const goldenName = (fixture: string, stage: string) => `${fixture}.${stage}.svg`;
