import { useEffect, useRef, useState } from "preact/hooks";
import {
  call,
  formatBytes,
  isTerminal,
  type Job,
  type JobWatch,
  type Media,
  type Page,
  type Progress,
  type TraceOptions,
  type TracePreset,
  uploadFile,
  watchJob,
} from "../api";
import { Empty, ErrorBox, JobProgress, navigate, Select, StatusBadge, toast, toastError } from "../ui";
import { Thumb } from "./Library";

type Opts = Required<
  Pick<
    TraceOptions,
    "mode" | "colors" | "detail" | "smoothness" | "cornerThreshold" | "speckle" | "output" | "layering"
  >
>;

/** Mirrors the server's presets (src/wasm/options.ts) so the controls show what will be used. */
const PRESETS: { id: TracePreset; label: string; hint: string; values: Partial<Opts> }[] = [
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
};

function effective(preset: TracePreset | null, overrides: Partial<Opts>): Opts {
  const p = PRESETS.find((x) => x.id === preset)?.values ?? {};
  const merged = { ...BASE, ...p, ...overrides };
  if (merged.mode === "binary") merged.colors = 2;
  if (merged.mode === "posterize" && !merged.colors) merged.colors = 8;
  return merged;
}

interface VectorResult {
  svgMediaId: string;
  bytes: number;
  paths: number;
  colors?: number;
  width?: number;
  height?: number;
}

function readResult(job: Job): VectorResult | null {
  const r = job.result as Record<string, unknown> | null;
  const id = (r?.svgMediaId ?? r?.mediaId) as string | undefined;
  if (!r || !id) return null;
  return {
    svgMediaId: id,
    bytes: Number(r.bytes ?? 0),
    paths: Number(r.paths ?? 0),
    colors: r.colors as number | undefined,
    width: r.width as number | undefined,
    height: r.height as number | undefined,
  };
}

export function VectorizeScreen({ query }: { query: URLSearchParams }) {
  const batchIds = (query.get("batch") ?? "").split(",").filter(Boolean);
  const [source, setSource] = useState<Media | null>(null);
  const [preset, setPreset] = useState<TracePreset | null>("logo");
  const [overrides, setOverrides] = useState<Partial<Opts>>({});
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [via, setVia] = useState<"ws" | "poll" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [children, setChildren] = useState<Job[]>([]);
  const watch = useRef<JobWatch | null>(null);
  const opts = effective(preset, overrides);
  const setOption = <K extends keyof Opts>(key: K, value: Opts[K]) =>
    setOverrides({ ...overrides, [key]: value });

  // Load from the URL: ?media=, ?job=
  useEffect(() => {
    const mediaId = query.get("media");
    const jobId = query.get("job");
    if (jobId) {
      call<{ job: Job }>("job", { params: { id: jobId } })
        .then(({ job }) => {
          const src = (job.input.mediaId as string | undefined) ?? null;
          if (src)
            call<{ media: Media }>("mediaOne", { params: { id: src } }).then(
              (r) => setSource(r.media),
              () => {},
            );
          follow(job);
        })
        .catch(setError);
    } else if (mediaId && mediaId !== source?.id) {
      call<{ media: Media }>("mediaOne", { params: { id: mediaId } }).then(
        (r) => setSource(r.media),
        setError,
      );
    }
  }, [query.get("media"), query.get("job")]);

  useEffect(() => () => watch.current?.stop(), []);

  const follow = (j: Job) => {
    watch.current?.stop();
    setJob(j);
    setProgress(j.progress);
    if (isTerminal(j.status)) {
      if (j.type === "vectorize-batch") loadChildren(j.id);
      return;
    }
    watch.current = watchJob(j.id, (u) => {
      setVia(u.via);
      if (u.progress) setProgress(u.progress);
      if (u.job) {
        setJob(u.job);
        if (isTerminal(u.job.status)) {
          if (u.job.status === "succeeded") setProgress({ ...u.job.progress, percent: 100 });
          if (u.job.type === "vectorize-batch") loadChildren(u.job.id);
          if (u.job.status === "failed") toast(u.job.error?.message ?? "The job failed.", "error");
        }
      }
    });
  };

  const loadChildren = async (parentId: string) => {
    try {
      const page = await call<Page<Job>>("jobs", { query: { parentId, limit: 100 } });
      setChildren(page.items);
    } catch {}
  };

  const start = async () => {
    setError(null);
    setBusy(true);
    setChildren([]);
    const options: TraceOptions = { ...(preset ? { preset } : {}), ...overrides };
    if (options.mode !== undefined || !preset) options.mode = opts.mode;
    try {
      if (batchIds.length > 1) {
        const { job } = await call<{ job: Job }>("vectorizeBatch", { body: { mediaIds: batchIds, options } });
        follow(job);
      } else {
        const id = source?.id ?? batchIds[0];
        if (!id) return;
        const { job } = await call<{ job: Job }>("vectorize", { body: { mediaId: id, options } });
        follow(job);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onDropFile = async (file: File) => {
    setError(null);
    try {
      const media = await uploadFile(file, "/", () => {}).promise;
      toast(`Uploaded ${media.name}.`, "ok");
      setSource(media);
      setJob(null);
      navigate(`/vectorize?media=${media.id}`, true);
    } catch (e) {
      setError(e);
    }
  };

  const result = job?.status === "succeeded" && job.type === "vectorize" ? readResult(job) : null;
  const running = job && !isTerminal(job.status);
  const isBatch = batchIds.length > 1;

  return (
    <div class="studio">
      <section class="studio-panel" aria-labelledby="studio-title">
        <h1 id="studio-title">Vectorize studio</h1>
        {isBatch ? (
          <p>
            Batch of <strong>{batchIds.length}</strong> images from your selection.{" "}
            <button type="button" class="linkish" onClick={() => navigate("/vectorize")}>
              Pick one image instead
            </button>
          </p>
        ) : (
          <SourcePicker
            source={source}
            onPick={(m) => {
              setSource(m);
              setJob(null);
              navigate(`/vectorize?media=${m.id}`, true);
            }}
            onFile={onDropFile}
          />
        )}

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

        <button
          type="button"
          class="btn btn-primary btn-block"
          disabled={busy || !!running || (!source && !batchIds.length)}
          onClick={start}
        >
          {running
            ? "Working…"
            : job
              ? isBatch
                ? "Run batch again"
                : "Re-run with these options"
              : isBatch
                ? `Vectorize ${batchIds.length} images`
                : "Vectorize"}
        </button>
        <ErrorBox error={error} />

        {job ? (
          <div class="job-status" data-testid="job-status">
            <div class="row-between">
              <span>
                <StatusBadge status={job.status} />{" "}
                {progress?.stage ? <span class="muted">{progress.stage}</span> : null}
              </span>
              {running ? (
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  onClick={() =>
                    call<{ job: Job }>("cancelJob", { params: { id: job.id } }).then(
                      (r) => setJob(r.job),
                      toastError,
                    )
                  }
                >
                  Cancel
                </button>
              ) : null}
            </div>
            <JobProgress status={job.status} percent={progress?.percent ?? 0} label="Vectorize progress" />
            <p class="hint">
              {via === "poll" ? "Live updates by polling" : via === "ws" ? "Live updates over WebSocket" : ""}
              {job.error ? ` · ${job.error.message}` : ""}
            </p>
          </div>
        ) : null}
      </section>

      <section class="studio-stage" aria-label="Result">
        {isBatch && job ? (
          <BatchResults children={children} />
        ) : source ? (
          <Compare source={source} result={result} />
        ) : (
          <Empty title="Pick an image to start">
            <p>Choose one from your library on the left, or drop an image file there.</p>
          </Empty>
        )}
      </section>
    </div>
  );
}

function SourcePicker(props: {
  source: Media | null;
  onPick: (m: Media) => void;
  onFile: (f: File) => void;
}) {
  const [images, setImages] = useState<Media[]>([]);
  const [open, setOpen] = useState(!props.source);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!open) return;
    call<Page<Media>>("media", { query: { type: "image", limit: 48 } }).then(
      (p) => setImages(p.items.filter((m) => m.mime !== "image/svg+xml")),
      () => {},
    );
  }, [open]);
  return (
    <section
      aria-label="Source image"
      class={`source${over ? " dragging" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const f = e.dataTransfer?.files[0];
        if (f) props.onFile(f);
      }}
    >
      {props.source ? (
        <div class="source-current">
          <span class="mini-thumb">
            <Thumb media={props.source} />
          </span>
          <span class="ellipsis">
            <strong>{props.source.name}</strong>
            <br />
            <span class="muted">
              {props.source.width}×{props.source.height} · {formatBytes(props.source.size)}
            </span>
          </span>
          <button type="button" class="btn btn-sm" aria-expanded={open} onClick={() => setOpen(!open)}>
            Change
          </button>
        </div>
      ) : null}
      {open ? (
        <div class="source-pick">
          <p class="hint">Pick an image, or drop one here to upload it.</p>
          <ul class="pick-grid" aria-label="Your images">
            {images.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  class="pick"
                  aria-label={`Use ${m.name}`}
                  onClick={() => {
                    props.onPick(m);
                    setOpen(false);
                  }}
                >
                  <Thumb media={m} />
                </button>
              </li>
            ))}
          </ul>
          <button type="button" class="btn btn-sm" onClick={() => input.current?.click()}>
            Upload an image…
          </button>
          <input
            ref={input}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            class="sr-only"
            aria-label="Upload an image to vectorize"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              if (f) props.onFile(f);
            }}
          />
        </div>
      ) : null}
    </section>
  );
}

function Compare({ source, result }: { source: Media; result: VectorResult | null }) {
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

function BatchResults({ children }: { children: Job[] }) {
  if (!children.length)
    return <Empty title="Batch running">The results appear here when the batch finishes.</Empty>;
  return (
    <ul class="batch-grid">
      {children.map((c) => {
        const r = readResult(c);
        return (
          <li key={c.id} class="card">
            <div class="thumb checker">
              {r ? (
                <img src={`/api/v1/media/${r.svgMediaId}/content`} alt={`Result of ${c.id}`} loading="lazy" />
              ) : (
                <StatusBadge status={c.status} />
              )}
            </div>
            <div class="card-meta">
              {r ? `${formatBytes(r.bytes)} · ${r.paths} paths` : (c.error?.message ?? c.status)}
            </div>
            <div class="btn-row">
              <button type="button" class="btn btn-sm" onClick={() => navigate(`/vectorize?job=${c.id}`)}>
                Open
              </button>
              {r ? (
                <a class="btn btn-sm" href={`/api/v1/media/${r.svgMediaId}/content?download=true`} download>
                  Download
                </a>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
