import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatDate, type Media, url } from "../../api";
import { FileFacts } from "./FileFacts";

const ZOOMS = [0.25, 0.5, 1, 1.5, 2, 3, 4];
const drawable = (m: Media) => ["image/png", "image/jpeg", "image/webp", "image/svg+xml"].includes(m.mime);

/** "Canon Canon EOS 80D" reads badly: the make is left out when the model already names it. */
const camera = (make?: string, model?: string) =>
  make && model?.toLowerCase().startsWith(make.toLowerCase())
    ? model
    : [make, model].filter(Boolean).join(" ");

const shutter = (seconds: number) => (seconds < 1 ? `1/${Math.round(1 / seconds)} s` : `${seconds} s`);

/** Exposure facts as a photographer reads them: 1/250 s · f/5.6 · ISO 200 · 35 mm. */
function exposure(m: Media): string | null {
  const md = m.metadata;
  if (!md) return null;
  const parts = [
    md.exposureTime ? shutter(md.exposureTime) : null,
    md.fNumber ? `f/${md.fNumber}` : null,
    md.iso ? `ISO ${md.iso}` : null,
    md.focalLength ? `${md.focalLength} mm` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : null;
}

/**
 * Full-screen viewer over the files of the current list: ← and → step through them, Esc closes,
 * + and − (or the buttons, or the wheel with Ctrl) zoom, 0 fits; the side panel shows the file's
 * details. Images come through the transformation route (WebP at most 2048 px, upright), so a big
 * photo never loads whole.
 */
export function Viewer(props: {
  items: Media[];
  index: number;
  /** Moves by `delta` files, wrapping around (an updater, so quick key presses don't read a stale index). */
  onStep: (delta: number) => void;
  onClose: () => void;
  onEdit: (id: string) => void;
}) {
  const m = props.items[props.index];
  const [zoom, setZoom] = useState<number | null>(null);
  const [info, setInfo] = useState(true);
  const closeRef = useRef<HTMLButtonElement>(null);
  const count = props.items.length;
  const go = (delta: number) => {
    if (!count) return;
    props.onStep(delta);
    setZoom(null);
  };
  const step = (dir: 1 | -1) => {
    const current = zoom ?? 1;
    const next = dir > 0 ? ZOOMS.find((z) => z > current) : [...ZOOMS].reverse().find((z) => z < current);
    setZoom(next ?? current);
  };

  useEffect(() => closeRef.current?.focus(), []);
  useEffect(() => {
    const keys: Record<string, () => void> = {
      Escape: props.onClose,
      ArrowRight: () => go(1),
      ArrowLeft: () => go(-1),
      "+": () => step(1),
      "=": () => step(1),
      "-": () => step(-1),
      "0": () => setZoom(null),
    };
    const onKey = (e: KeyboardEvent) => {
      const act = Object.hasOwn(keys, e.key) ? keys[e.key] : undefined;
      if (!act) return;
      act();
      e.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  });

  if (!m) return null;
  const src = drawable(m) ? url("image", { id: m.id }, { w: 2048, h: 2048, format: "webp" }) : m.thumbnailUrl;
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-label={`Viewer: ${m.name}`} data-testid="viewer">
      <div class="viewer-bar">
        <span class="viewer-title" title={m.name}>
          {m.name}
        </span>
        <span class="muted" data-testid="viewer-position">
          {props.index + 1} / {count}
        </span>
        <div class="viewer-actions">
          <button type="button" class="btn btn-ghost" aria-label="Previous file" onClick={() => go(-1)}>
            ←
          </button>
          <button type="button" class="btn btn-ghost" aria-label="Next file" onClick={() => go(1)}>
            →
          </button>
          <button type="button" class="btn btn-ghost" aria-label="Zoom out" onClick={() => step(-1)}>
            −
          </button>
          <span class="viewer-zoom" data-testid="viewer-zoom">
            {zoom === null ? "Fit" : `${Math.round(zoom * 100)} %`}
          </span>
          <button type="button" class="btn btn-ghost" aria-label="Zoom in" onClick={() => step(1)}>
            +
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => setZoom(null)}>
            Fit
          </button>
          <button type="button" class="btn btn-ghost" aria-pressed={info} onClick={() => setInfo(!info)}>
            Details
          </button>
          <a class="btn btn-ghost" href={`${m.contentUrl}?download=true`} download={m.name}>
            Download
          </a>
          <button ref={closeRef} type="button" class="btn" aria-label="Close viewer" onClick={props.onClose}>
            ✕
          </button>
        </div>
      </div>
      <div class="viewer-body">
        <section
          class={`viewer-stage${zoom === null ? " fit" : ""}`}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
          tabIndex={0}
          aria-label="Image (scrollable when zoomed)"
          onWheel={(e) => {
            if (!e.ctrlKey) return;
            e.preventDefault();
            step(e.deltaY < 0 ? 1 : -1);
          }}
        >
          <img
            key={m.id}
            src={src}
            alt={m.name}
            data-testid="viewer-image"
            style={zoom === null || !m.width ? undefined : { width: `${m.width * zoom}px`, maxWidth: "none" }}
          />
        </section>
        {info ? <Details m={m} onEdit={props.onEdit} /> : null}
      </div>
    </div>
  );
}

/** One term of the details list, left out when there is nothing to say. */
function Fact({ term, children, testId }: { term: string; children: ComponentChildren; testId?: string }) {
  if (!children) return null;
  return (
    <>
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** The side panel: the file's facts, its camera and where it was taken. */
function Details({ m, onEdit }: { m: Media; onEdit: (id: string) => void }) {
  const md = m.metadata;
  return (
    <aside class="viewer-info" aria-label="Details">
      <dl class="meta">
        <FileFacts m={m} />
        <dt>Folder</dt>
        <dd>{m.folder}</dd>
        <Fact term="Taken" testId="viewer-taken">
          {m.takenAt ? formatDate(m.takenAt) : null}
        </Fact>
        <Fact term="Camera">{md?.make || md?.model ? camera(md.make, md.model) : null}</Fact>
        <Fact term="Lens">{md?.lens}</Fact>
        <Fact term="Exposure">{exposure(m)}</Fact>
        <Fact term="Location">
          {md?.gps ? (
            <>
              {md.gps.latitude.toFixed(5)}, {md.gps.longitude.toFixed(5)}
              <span class="hint"> (only you see this)</span>
            </>
          ) : null}
        </Fact>
        <dt>Added</dt>
        <dd>{formatDate(m.createdAt)}</dd>
        <Fact term="Tags">{m.tags.length ? m.tags.join(", ") : null}</Fact>
      </dl>
      <button type="button" class="btn" onClick={() => onEdit(m.id)}>
        Edit, share or move…
      </button>
    </aside>
  );
}
