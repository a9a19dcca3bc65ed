import { z } from "zod";
import { TraceError } from "./errors";

export const TRACE_MODES = ["color", "binary", "posterize", "centerline"] as const;
export const TRACE_PRESETS = ["logo", "illustration", "poster", "lineart"] as const;
/**
 * Default cap for one trace; larger images are traced in tiles of at most the cap at full resolution
 * (colour mode with the automatic palette, binary mode) or downscaled (with `colors` or `palette`, other
 * modes, or with onOversize: "downscale"), or rejected with onOversize: "error".
 */
export const DEFAULT_MAX_PIXELS = 4_194_304; // 2048 x 2048
/** Hard cap read from the header: above it the image is never decoded. */
export const DEFAULT_MAX_INPUT_PIXELS = 16_777_216; // 4096 x 4096
export const ABSOLUTE_MAX_PIXELS = 67_108_864;
/** Most colours a `palette` may list (the tracer's explicit `colors` cap too). */
export const MAX_PALETTE = 64;

/**
 * Options of the vectorize API (and of the CLI). All optional; `preset` fills defaults first,
 * explicit values override it. Units: detail and smoothness 0-100, cornerThreshold in degrees
 * (a turn sharper than this becomes a corner), speckle as an area in pixels, precision as decimals.
 */
export const traceOptionsSchema = z
  .object({
    preset: z.enum(TRACE_PRESETS).optional(),
    mode: z.enum(TRACE_MODES).optional(),
    colors: z.number().int().min(2).max(64).optional(),
    detail: z.number().min(0).max(100).optional(),
    smoothness: z.number().min(0).max(100).optional(),
    cornerThreshold: z.number().min(0).max(180).optional(),
    speckle: z.number().int().min(0).max(100_000).optional(),
    output: z.enum(["curves", "polygons"]).optional(),
    layering: z.enum(["stacked", "cutout"]).optional(),
    precision: z.number().int().min(0).max(3).optional(),
    threshold: z.number().int().min(1).max(255).optional(),
    dropWhiteBackground: z.boolean().optional(),
    maxPixels: z.number().int().min(1).max(ABSOLUTE_MAX_PIXELS).optional(),
    maxInputPixels: z.number().int().min(1).max(ABSOLUTE_MAX_PIXELS).optional(),
    onOversize: z
      .enum(["tile", "downscale", "error"])
      .optional()
      .describe(
        "Above `maxPixels`: `tile` (default) traces at full resolution in tiles where the mode allows (colour with automatic colours, binary) and downscales otherwise; `downscale` always traces a reduced copy; `error` refuses",
      ),
    palette: z
      .array(z.string().regex(/^#[0-9A-Fa-f]{6}$/, "a colour is #RRGGBB"))
      .min(1)
      .max(MAX_PALETTE)
      .optional()
      .describe(
        "Every colour of the result is one of these (pixels snap to the nearest in Oklab); with `colors`, at most that many of them, the most used",
      ),
    fillWide: z
      .boolean()
      .optional()
      .describe(
        "centerline: areas thicker than `maxStrokeWidth` become filled shapes (default true); false: every ink area is a stroke",
      ),
    maxStrokeWidth: z
      .number()
      .min(1)
      .max(64)
      .optional()
      .describe("centerline: the widest line (px) traced as a stroke (default 12)"),
  })
  .strict();

export type TraceOptions = z.input<typeof traceOptionsSchema>;
export type TraceMode = (typeof TRACE_MODES)[number];
export type TracePreset = (typeof TRACE_PRESETS)[number];

export interface ResolvedTraceOptions {
  mode: TraceMode;
  /** 0 = automatic (color mode: chosen by an error target that `detail` sets). */
  colors: number;
  detail: number;
  smoothness: number;
  cornerThreshold: number;
  speckle: number;
  output: "curves" | "polygons";
  layering: "stacked" | "cutout";
  precision: number;
  threshold: number;
  dropWhiteBackground: boolean;
  maxPixels: number;
  maxInputPixels: number;
  onOversize: "tile" | "downscale" | "error";
  /** 0xRRGGBB per entry, in the caller's order (duplicates dropped); empty = automatic colours */
  palette: number[];
  fillWide: boolean;
  maxStrokeWidth: number;
}

type PresetValues = Partial<
  Omit<ResolvedTraceOptions, "maxPixels" | "maxInputPixels" | "onOversize" | "palette">
>;

export const PRESETS: Record<TracePreset, PresetValues> = {
  logo: { mode: "color", detail: 40, smoothness: 45, cornerThreshold: 55, speckle: 9 },
  illustration: { mode: "color", detail: 60, smoothness: 40, cornerThreshold: 60, speckle: 4 },
  poster: { mode: "posterize", colors: 8, detail: 50, smoothness: 55, cornerThreshold: 60, speckle: 16 },
  lineart: { mode: "binary", threshold: 128, smoothness: 50, cornerThreshold: 60, speckle: 3 },
};

const MODE_DEFAULTS: Record<TraceMode, PresetValues> = {
  color: { colors: 0, speckle: 4 },
  binary: { colors: 2, speckle: 3 },
  posterize: { colors: 8, speckle: 12 },
  centerline: { colors: 0, speckle: 3 },
};

type ParsedOptions = z.output<typeof traceOptionsSchema>;

/** How the result is written, with its defaults. */
const outputOptions = (o: ParsedOptions) => ({
  output: o.output ?? "curves",
  layering: o.layering ?? "stacked",
  precision: o.precision ?? 1,
});

/** The size limits, the palette and the stroke options, with their defaults. */
const limitOptions = (o: ParsedOptions) => ({
  dropWhiteBackground: o.dropWhiteBackground ?? false,
  maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS,
  maxInputPixels: o.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS,
  onOversize: o.onOversize ?? "tile",
  palette: [...new Set((o.palette ?? []).map((c) => Number.parseInt(c.slice(1), 16)))],
  fillWide: o.fillWide ?? true,
  maxStrokeWidth: o.maxStrokeWidth ?? 12,
});

/** Validates and fills defaults. Throws TraceError("invalid_options"). */
export function resolveOptions(input: unknown = {}): ResolvedTraceOptions {
  const parsed = traceOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new TraceError("invalid_options", `Invalid trace options: ${why}`, {
      issues: parsed.error.issues,
    });
  }
  const o = parsed.data;
  const preset = o.preset ? PRESETS[o.preset] : {};
  const mode: TraceMode = o.mode ?? preset.mode ?? "color";
  const md = MODE_DEFAULTS[mode];
  const pick = <K extends keyof PresetValues>(k: K, fallback: NonNullable<PresetValues[K]>) =>
    (o[k as keyof typeof o] as PresetValues[K]) ??
    (preset.mode === undefined || preset.mode === mode ? preset[k] : undefined) ??
    md[k] ??
    fallback;
  const resolved: ResolvedTraceOptions = {
    mode,
    colors: pick("colors", 0),
    detail: pick("detail", 50),
    smoothness: pick("smoothness", 50),
    cornerThreshold: pick("cornerThreshold", 60),
    speckle: pick("speckle", 4),
    ...outputOptions(o),
    threshold: pick("threshold", 128),
    ...limitOptions(o),
  };
  if (mode === "binary") resolved.colors = 2;
  if (mode === "posterize" && resolved.colors === 0) resolved.colors = 8;
  if (resolved.maxInputPixels < resolved.maxPixels) resolved.maxInputPixels = resolved.maxPixels;
  return resolved;
}
