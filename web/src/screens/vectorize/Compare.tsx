import { useState } from "preact/hooks";
import type { Media } from "../../api";
import { useZoom } from "./useZoom";

export type Background = "checker" | "white" | "black" | "custom";

const BACKGROUND_LABEL: Record<Background, string> = {
  checker: "Checker",
  white: "White",
  black: "Black",
  custom: "Colour",
};
const BACKGROUND_FILL: Partial<Record<Background, string>> = { white: "#ffffff", black: "#000000" };

/**
 * Original and vector side by side or under a before/after slider, zoomed together. The vector is
 * always drawn alone on the chosen background (checkerboard, white, black or a colour of your own),
 * never over the raster: what is not painted shows as not painted.
 */
export function Compare({ source, svgUrl }: { source: Media; svgUrl: string | null }) {
  const [mode, setMode] = useState<"side" | "slider">("side");
  const [split, setSplit] = useState(50);
  const [bg, setBg] = useState<Background>("checker");
  const [custom, setCustom] = useState("#e0f0ff");
  const w = source.width ?? 0;
  const h = source.height ?? 0;
  const z = useZoom(w, h);
  const size = { width: `${Math.round(w * z.scale)}px`, height: `${Math.round(h * z.scale)}px` };
  // the checkerboard is a class; the plain backgrounds are a fill
  const backdropClass = bg === "checker" ? " checker" : "";
  const backdropStyle = bg === "custom" ? custom : BACKGROUND_FILL[bg];
  const vector = svgUrl ? (
    <img src={svgUrl} alt="Vectorized result" data-testid="svg-result" style={size} />
  ) : (
    <div class="pane-empty" style={size}>
      The vector result appears here.
    </div>
  );
  const paneProps = (label: string, extra = "") => ({
    class: `pane${extra}`,
    ref: z.pane,
    // a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
    tabIndex: 0,
    "aria-label": label,
    onScroll: z.onScroll,
    onWheel: z.onWheel,
  });
  return (
    <div class="compare">
      <div class="compare-bar">
        <fieldset class="seg">
          <legend class="sr-only">Comparison view</legend>
          {(["side", "slider"] as const).map((m) => (
            <button
              key={m}
              type="button"
              class={mode === m ? "on" : ""}
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
            >
              {m === "side" ? "Side by side" : "Before / after"}
            </button>
          ))}
        </fieldset>
        <fieldset class="seg" data-testid="backgrounds">
          <legend class="sr-only">Background behind the vector</legend>
          {(Object.keys(BACKGROUND_LABEL) as Background[]).map((b) => (
            <button
              key={b}
              type="button"
              class={bg === b ? "on" : ""}
              aria-pressed={bg === b}
              onClick={() => setBg(b)}
            >
              {BACKGROUND_LABEL[b]}
            </button>
          ))}
          {bg === "custom" ? (
            <input
              type="color"
              value={custom}
              aria-label="Background colour"
              onInput={(e) => setCustom((e.target as HTMLInputElement).value)}
            />
          ) : null}
        </fieldset>
        <div class="zoom" data-testid="zoom">
          <button type="button" class="btn btn-sm" aria-label="Zoom out" onClick={z.zoomOut}>
            −
          </button>
          <button type="button" class="btn btn-sm" aria-label="Zoom in" onClick={z.zoomIn}>
            +
          </button>
          <button
            type="button"
            class={`btn btn-sm${z.isFit ? " on" : ""}`}
            aria-pressed={z.isFit}
            onClick={z.fit}
          >
            Fit
          </button>
          <button type="button" class="btn btn-sm" onClick={z.actual} data-testid="zoom-level">
            {Math.round(z.scale * 100)}%
          </button>
        </div>
      </div>
      <p class="hint">Ctrl/⌘ + scroll (or pinch) zooms around the pointer.</p>
      {mode === "side" ? (
        <div class="side-by-side" data-testid="side-by-side">
          <figure>
            <figcaption>Original</figcaption>
            <section {...paneProps("Original (scrollable)", " checker")}>
              <div class="stage" style={size}>
                <img src={source.contentUrl} alt={`Original: ${source.name}`} style={size} />
              </div>
            </section>
          </figure>
          <figure>
            <figcaption>Vector</figcaption>
            <section
              {...paneProps("Vector result (scrollable)", backdropClass)}
              style={{ background: backdropStyle }}
            >
              <div class="stage" style={size}>
                {vector}
              </div>
            </section>
          </figure>
        </div>
      ) : (
        <div class="slider-wrap">
          <section {...paneProps("Before and after (scrollable)", " checker")}>
            <div class="stage slider-stage" style={size}>
              <img src={source.contentUrl} alt={`Original: ${source.name}`} style={size} />
              {/* the vector on its own background, over the original's right part: never over the raster */}
              <div
                class={`slider-top${backdropClass}`}
                data-testid="slider-vector"
                style={{ background: backdropStyle, clipPath: `inset(0 0 0 ${split}%)` }}
              >
                {vector}
              </div>
              <div class="slider-line" style={{ left: `${split}%` }} aria-hidden="true" />
            </div>
          </section>
          <label class="slider-control">
            <span>Before</span>
            <input
              type="range"
              min={0}
              max={100}
              value={split}
              aria-label="Before / after position"
              onInput={(e) => setSplit(Number((e.target as HTMLInputElement).value))}
            />
            <span>After</span>
          </label>
        </div>
      )}
    </div>
  );
}
