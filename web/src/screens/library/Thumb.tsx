import { useState } from "preact/hooks";
import type { Media } from "../../api";

export function Thumb({ media }: { media: Media }) {
  const [retry, setRetry] = useState(0);
  if (!media.thumbnailUrl) return <span class="thumb-kind">{media.kind}</span>;
  // The server answers 202 with a placeholder while it makes the thumbnail; try again once a little later.
  return (
    <img
      src={`${media.thumbnailUrl}${retry ? `?r=${retry}` : ""}`}
      alt=""
      loading="lazy"
      decoding="async"
      width={160}
      height={160}
      onLoad={(e) => {
        const img = e.target as HTMLImageElement;
        if (retry < 2 && img.naturalWidth <= 2) setTimeout(() => setRetry((r) => r + 1), 1500);
      }}
    />
  );
}
