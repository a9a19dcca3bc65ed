import { useState } from "preact/hooks";
import type { Job, Pricing, TraceOptions, TracePreset } from "../../api";
import { effective, type Opts } from "./presets";

export interface Target {
  minSSIM?: number;
  maxBytes?: number;
}

/**
 * What the studio will ask for: a preset, the options changed on top of it, a palette, a target and
 * the pricing. `request()` is exactly what is sent; `restore(job)` takes a job's own options back, so
 * reopening a job shows them and "Re-run" sends the same.
 */
export function useStudioOptions() {
  const [preset, setPresetState] = useState<TracePreset | null>("logo");
  const [overrides, setOverrides] = useState<Partial<Opts>>({});
  const [palette, setPalette] = useState<string[] | null>(null);
  const [target, setTarget] = useState<Target>({});
  const [pricing, setPricing] = useState<Pricing>("production");

  const setPreset = (p: TracePreset) => {
    setPresetState(p);
    setOverrides({});
  };

  const request = (): { options: TraceOptions; pricing: Pricing } => {
    const options: TraceOptions = { ...(preset ? { preset } : {}), ...overrides };
    if (palette?.length) options.palette = palette;
    const t: Target = {};
    if (target.minSSIM !== undefined) t.minSSIM = target.minSSIM;
    if (target.maxBytes !== undefined) t.maxBytes = target.maxBytes;
    if (t.minSSIM !== undefined || t.maxBytes !== undefined) options.target = t;
    return { options, pricing };
  };

  const restore = (job: Job) => {
    const input = job.input as { options?: TraceOptions; pricing?: Pricing };
    const { preset: p, palette: pal, target: t, ...rest } = input.options ?? {};
    setPresetState(p ?? null);
    setOverrides(rest as Partial<Opts>);
    setPalette(pal?.length ? pal : null);
    setTarget(t ?? {});
    setPricing(input.pricing ?? "production");
  };

  return {
    preset,
    setPreset,
    overrides,
    setOverrides,
    palette,
    setPalette,
    target,
    setTarget,
    pricing,
    setPricing,
    opts: effective(preset, overrides),
    request,
    restore,
  };
}

export type StudioOptions = ReturnType<typeof useStudioOptions>;
