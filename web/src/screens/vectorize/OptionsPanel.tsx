import { Select } from "../../ui";
import { PaletteEditor } from "./PaletteEditor";
import { type Opts, PRESETS } from "./presets";
import type { StudioOptions } from "./useStudioOptions";

const num = (e: Event) => Number((e.target as HTMLInputElement).value);

/** Presets and the options they fill, each adjustable; changing the preset drops the adjustments. */
export function OptionsPanel({ s, suggestions }: { s: StudioOptions; suggestions: string[] }) {
  const { preset, opts } = s;
  const setOption = <K extends keyof Opts>(key: K, value: Opts[K]) =>
    s.setOverrides({ ...s.overrides, [key]: value });
  const lines = opts.mode === "binary" || opts.mode === "centerline";
  return (
    <>
      <fieldset class="presets">
        <legend>Preset</legend>
        {PRESETS.map((p) => (
          <label key={p.id} class={`preset${preset === p.id ? " on" : ""}`}>
            <input
              type="radio"
              name="preset"
              value={p.id}
              checked={preset === p.id}
              onChange={() => s.setPreset(p.id)}
            />
            <span class="preset-name">{p.label}</span>
            <span class="preset-hint">{p.hint}</span>
          </label>
        ))}
      </fieldset>

      <details class="options" open>
        <summary>Options</summary>
        <div class="options-grid">
          <Select
            label="Mode"
            value={opts.mode}
            onValue={(v) => setOption("mode", v)}
            options={[
              { value: "color", label: "Colour" },
              { value: "posterize", label: "Posterize" },
              { value: "binary", label: "Black & white" },
              { value: "centerline", label: "Centerline (single strokes)" },
            ]}
          />
          {lines ? (
            <label>
              Threshold {opts.threshold}
              <input
                type="range"
                min={1}
                max={255}
                value={opts.threshold}
                aria-label="Threshold: darker than this is ink"
                onInput={(e) => setOption("threshold", num(e))}
              />
            </label>
          ) : null}
          <label>
            Colours {opts.mode === "color" && !opts.colors ? "(auto)" : opts.colors}
            <input
              type="range"
              min={opts.mode === "color" ? 0 : 2}
              max={64}
              value={opts.colors}
              disabled={opts.mode === "binary"}
              onInput={(e) => setOption("colors", num(e))}
            />
          </label>
          {(["detail", "smoothness"] as const).map((k) => (
            <label key={k}>
              {k === "detail" ? "Detail" : "Smoothness"} {opts[k]}
              <input type="range" min={0} max={100} value={opts[k]} onInput={(e) => setOption(k, num(e))} />
            </label>
          ))}
          <label>
            Corner threshold {opts.cornerThreshold}°
            <input
              type="range"
              min={0}
              max={180}
              value={opts.cornerThreshold}
              onInput={(e) => setOption("cornerThreshold", num(e))}
            />
          </label>
          <label>
            Remove specks below (px²)
            <input
              type="number"
              min={0}
              max={100000}
              value={opts.speckle}
              onInput={(e) => setOption("speckle", num(e) || 0)}
            />
          </label>
          {opts.mode === "centerline" ? (
            <>
              <label>
                Widest stroke (px)
                <input
                  type="number"
                  min={1}
                  max={64}
                  value={opts.maxStrokeWidth}
                  onInput={(e) => setOption("maxStrokeWidth", Math.min(64, Math.max(1, num(e) || 1)))}
                />
              </label>
              <label class="check">
                <input
                  type="checkbox"
                  checked={opts.fillWide}
                  onChange={(e) => setOption("fillWide", (e.target as HTMLInputElement).checked)}
                />
                Fill areas wider than that
              </label>
            </>
          ) : (
            <>
              <Select
                label="Output"
                value={opts.output}
                onValue={(v) => setOption("output", v)}
                options={[
                  { value: "curves", label: "Curves" },
                  { value: "polygons", label: "Polygons" },
                ]}
              />
              <Select
                label="Layering"
                value={opts.layering}
                onValue={(v) => setOption("layering", v)}
                options={[
                  { value: "stacked", label: "Stacked" },
                  { value: "cutout", label: "Cut-out" },
                ]}
              />
            </>
          )}
        </div>
        <PaletteEditor palette={s.palette} setPalette={s.setPalette} suggestions={suggestions} />
        <fieldset class="target" data-testid="target">
          <legend>Auto-tune (optional)</legend>
          <p class="hint">A few option sets are tried; the smallest result that meets this is kept.</p>
          <label>
            At least this SSIM
            <input
              type="number"
              min={0}
              max={1}
              step={0.01}
              placeholder="e.g. 0.95"
              value={s.target.minSSIM ?? ""}
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                s.setTarget({
                  ...s.target,
                  minSSIM: v === "" ? undefined : Math.min(1, Math.max(0, Number(v))),
                });
              }}
            />
          </label>
          <label>
            At most (KB)
            <input
              type="number"
              min={1}
              placeholder="e.g. 40"
              value={s.target.maxBytes !== undefined ? Math.round(s.target.maxBytes / 1024) : ""}
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                s.setTarget({ ...s.target, maxBytes: v === "" ? undefined : Math.max(1, Number(v)) * 1024 });
              }}
            />
          </label>
        </fieldset>
      </details>
    </>
  );
}
