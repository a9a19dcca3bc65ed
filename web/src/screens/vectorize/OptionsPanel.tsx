import type { TracePreset } from "../../api";
import { Select } from "../../ui";
import { effective, type Opts, PRESETS } from "./presets";

/** Presets and the options they fill, each adjustable; changing the preset drops the adjustments. */
export function OptionsPanel(props: {
  preset: TracePreset | null;
  setPreset: (p: TracePreset) => void;
  overrides: Partial<Opts>;
  setOverrides: (o: Partial<Opts>) => void;
}) {
  const { preset, setPreset, overrides, setOverrides } = props;
  const opts = effective(preset, overrides);
  const setOption = <K extends keyof Opts>(key: K, value: Opts[K]) =>
    setOverrides({ ...overrides, [key]: value });
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
              onChange={() => {
                setPreset(p.id);
                setOverrides({});
              }}
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
            ]}
          />
          <label>
            Colours {opts.mode === "color" && !opts.colors ? "(auto)" : opts.colors}
            <input
              type="range"
              min={opts.mode === "color" ? 0 : 2}
              max={64}
              value={opts.colors}
              disabled={opts.mode === "binary"}
              onInput={(e) => setOption("colors", Number((e.target as HTMLInputElement).value))}
            />
          </label>
          {(["detail", "smoothness"] as const).map((k) => (
            <label key={k}>
              {k === "detail" ? "Detail" : "Smoothness"} {opts[k]}
              <input
                type="range"
                min={0}
                max={100}
                value={opts[k]}
                onInput={(e) => setOption(k, Number((e.target as HTMLInputElement).value))}
              />
            </label>
          ))}
          <label>
            Corner threshold {opts.cornerThreshold}°
            <input
              type="range"
              min={0}
              max={180}
              value={opts.cornerThreshold}
              onInput={(e) => setOption("cornerThreshold", Number((e.target as HTMLInputElement).value))}
            />
          </label>
          <label>
            Remove specks below (px²)
            <input
              type="number"
              min={0}
              max={100000}
              value={opts.speckle}
              onInput={(e) => setOption("speckle", Number((e.target as HTMLInputElement).value) || 0)}
            />
          </label>
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
        </div>
      </details>
    </>
  );
}
