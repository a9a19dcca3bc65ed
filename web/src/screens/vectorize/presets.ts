import type { TraceOptions, TracePreset } from "../../api";

export type Opts = Required<
  Pick<
    TraceOptions,
    | "mode"
    | "colors"
    | "detail"
    | "smoothness"
    | "cornerThreshold"
    | "speckle"
    | "output"
    | "layering"
    | "threshold"
    | "maxStrokeWidth"
    | "fillWide"
  >
>;

/** Mirrors the server's presets (src/wasm/options.ts) so the controls show what will be used. */
export const PRESETS: { id: TracePreset; label: string; hint: string; values: Partial<Opts> }[] = [
  {
    id: "logo",
    label: "Logo",
    hint: "Flat colours, crisp corners",
    values: { mode: "color", detail: 40, smoothness: 45, cornerThreshold: 55, speckle: 9 },
  },
  {
    id: "illustration",
    label: "Illustration",
    hint: "More colours and detail",
    values: { mode: "color", detail: 60, smoothness: 40, cornerThreshold: 60, speckle: 4 },
  },
  {
    id: "poster",
    label: "Photo poster",
    hint: "A few posterized tones",
    values: { mode: "posterize", colors: 8, detail: 50, smoothness: 55, cornerThreshold: 60, speckle: 16 },
  },
  {
    id: "lineart",
    label: "Line art",
    hint: "Black and white strokes",
    values: { mode: "binary", smoothness: 50, cornerThreshold: 60, speckle: 3 },
  },
];
const BASE: Opts = {
  mode: "color",
  colors: 0,
  detail: 50,
  smoothness: 50,
  cornerThreshold: 60,
  speckle: 4,
  output: "curves",
  layering: "stacked",
  threshold: 128,
  maxStrokeWidth: 12,
  fillWide: true,
};

/** What the controls show: the base, the preset's values, then the user's changes. */
export function effective(preset: TracePreset | null, overrides: Partial<Opts>): Opts {
  const p = PRESETS.find((x) => x.id === preset)?.values ?? {};
  const merged = { ...BASE, ...p, ...overrides };
  if (merged.mode === "binary") merged.colors = 2;
  if (merged.mode === "posterize" && !merged.colors) merged.colors = 8;
  if (merged.mode === "centerline" && overrides.speckle === undefined && !p.speckle) merged.speckle = 3;
  return merged;
}
