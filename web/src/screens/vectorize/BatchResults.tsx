import type { Job } from "../../api";
import { formatBytes } from "../../api";
import { Empty, navigate, StatusBadge } from "../../ui";
import { readResult } from "./result";

/** One card per image of a batch: its SVG, or why it has none. */
export function BatchResults({ children }: { children: Job[] }) {
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
