import { useState } from "preact/hooks";
import type { Media } from "../../api";

/** Tries after a failed load: a full grid asks for more thumbnails at once than the per-user burst. */
const ERROR_RETRIES = 4;

export function Thumb({ media }: { media: Media }) {
  const [attempt, setAttempt] = useState(0);
  const [waited, setWaited] = useState(0);
  const [failed, setFailed] = useState(0);
  if (!media.thumbnailUrl) return <span class="thumb-kind">{media.kind}</span>;
  const again = (delayMs: number) => setTimeout(() => setAttempt((n) => n + 1), delayMs);
  return (
    <img
      src={`${media.thumbnailUrl}${attempt ? `?r=${attempt}` : ""}`}
      alt=""
      loading="lazy"
      decoding="async"
      width={160}
      height={160}
      onLoad={(e) => {
        // The server answers 202 with a placeholder while it makes the thumbnail; try again a little later.
        const img = e.target as HTMLImageElement;
        if (waited < 2 && img.naturalWidth <= 2) {
          setWaited(waited + 1);
          again(1500);
        }
      }}
      onError={() => {
        // A 429 (rate limit) or a dropped request: back off (1, 2, 4, 8 s, with jitter) and try again.
        if (failed >= ERROR_RETRIES) return;
        setFailed(failed + 1);
        again(1000 * 2 ** failed * (1 + Math.random() / 2));
      }}
    />
  );
}
