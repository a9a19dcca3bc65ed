import { useEffect, useRef, useState } from "preact/hooks";
import { call, formatBytes, type Media, type Page } from "../../api";
import { Thumb } from "../library/Thumb";

/** The image to vectorize: the current one, or a pick from the library, or a file dropped or chosen. */
export function SourcePicker(props: {
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
