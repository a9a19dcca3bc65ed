import { useRef, useState } from "preact/hooks";
import { formatBytes, type Media } from "../../api";
import type { VectorResult } from "./result";

/** Original and vector side by side or under a before/after slider, zoomed together. */
export function Compare({ source, result }: { source: Media; result: VectorResult | null }) {
  const [mode, setMode] = useState<"side" | "slider">("side");
  const [zoom, setZoom] = useState(1);
  const [split, setSplit] = useState(50);
  const left = useRef<HTMLElement>(null);
  const right = useRef<HTMLElement>(null);
  const svgUrl = result ? `/api/v1/media/${result.svgMediaId}/content` : null;
  const sync = (from: HTMLElement | null, to: HTMLElement | null) => {
    if (from && to) {
      to.scrollLeft = from.scrollLeft;
      to.scrollTop = from.scrollTop;
    }
  };
  const aspect = source.width && source.height ? `${source.width} / ${source.height}` : "1 / 1";
  return (
    <div class="compare">
      <div class="compare-bar">
        <fieldset class="seg">
          <legend class="sr-only">Comparison view</legend>
          <button
            type="button"
            class={mode === "side" ? "on" : ""}
            aria-pressed={mode === "side"}
            onClick={() => setMode("side")}
          >
            Side by side
          </button>
          <button
            type="button"
            class={mode === "slider" ? "on" : ""}
            aria-pressed={mode === "slider"}
            onClick={() => setMode("slider")}
          >
            Before / after
          </button>
        </fieldset>
        <div class="zoom">
          <button
            type="button"
            class="btn btn-sm"
            aria-label="Zoom out"
            onClick={() => setZoom((z) => Math.max(0.25, z / 1.5))}
          >
            −
          </button>
          <label>
            <span class="sr-only">Zoom</span>
            <input
              type="range"
              min={25}
              max={800}
              step={5}
              value={Math.round(zoom * 100)}
              aria-label="Zoom"
              onInput={(e) => setZoom(Number((e.target as HTMLInputElement).value) / 100)}
            />
          </label>
          <button
            type="button"
            class="btn btn-sm"
            aria-label="Zoom in"
            onClick={() => setZoom((z) => Math.min(8, z * 1.5))}
          >
            +
          </button>
          <button type="button" class="btn btn-sm" onClick={() => setZoom(1)}>
            {Math.round(zoom * 100)}%
          </button>
        </div>
        {result ? (
          <div class="result-stats" data-testid="result-stats">
            <span>
              SVG <strong>{formatBytes(result.bytes)}</strong>
            </span>
            <span>
              <strong>{result.paths}</strong> paths
            </span>
            {result.colors ? (
              <span>
                <strong>{result.colors}</strong> colours
              </span>
            ) : null}
            <a
              class="btn btn-primary btn-sm"
              href={`${svgUrl}?download=true`}
              download
              data-testid="download-svg"
            >
              Download SVG
            </a>
          </div>
        ) : null}
      </div>
      {mode === "side" ? (
        <div class="side-by-side" data-testid="side-by-side">
          <figure>
            <figcaption>Original</figcaption>
            {/* Focusable so the zoomed image can be scrolled with the keyboard. */}
            <section
              class="pane checker"
              ref={left}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
              tabIndex={0}
              aria-label="Original (scrollable)"
              onScroll={() => sync(left.current, right.current)}
            >
              <img
                src={source.contentUrl}
                alt={`Original: ${source.name}`}
                style={{ width: `${zoom * 100}%`, aspectRatio: aspect }}
              />
            </section>
          </figure>
          <figure>
            <figcaption>Vector</figcaption>
            <section
              class="pane checker"
              ref={right}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
              tabIndex={0}
              aria-label="Vector result (scrollable)"
              onScroll={() => sync(right.current, left.current)}
            >
              {svgUrl ? (
                <img
                  src={svgUrl}
                  alt="Vectorized result"
                  data-testid="svg-result"
                  style={{ width: `${zoom * 100}%`, aspectRatio: aspect }}
                />
              ) : (
                <div class="pane-empty" style={{ aspectRatio: aspect }}>
                  The vector result appears here.
                </div>
              )}
            </section>
          </figure>
        </div>
      ) : (
        <div class="slider-wrap">
          <section
            class="pane checker"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
            tabIndex={0}
            aria-label="Before and after (scrollable)"
          >
            <div class="slider-stage" style={{ width: `${zoom * 100}%`, aspectRatio: aspect }}>
              <img src={source.contentUrl} alt={`Original: ${source.name}`} />
              {svgUrl ? (
                <img
                  src={svgUrl}
                  alt="Vectorized result"
                  class="slider-top"
                  style={{ clipPath: `inset(0 0 0 ${split}%)` }}
                />
              ) : null}
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
