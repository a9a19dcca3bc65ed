import { useEffect, useState } from "preact/hooks";
import { call, type FormatOffer, formatBytes, type ResultFormat, url } from "../../api";
import { ErrorBox } from "../../ui";
import { svgUrlOf, type VectorResult } from "./result";

const LABEL: Record<ResultFormat, string> = { svg: "SVG", pdf: "PDF", eps: "EPS", dxf: "DXF", png: "PNG" };

/**
 * The result's figures (size, paths, points, colours; SSIM, ΔE and GMSD against the source; the auto-tune
 * attempts) and its downloads in every format. A format that costs credits says so on its button
 * and asks before it is charged (once; after that it downloads freely).
 */
export function ResultPanel({ result, onCredits }: { result: VectorResult; onCredits?: () => void }) {
  const [offers, setOffers] = useState<FormatOffer[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setOffers(null);
    if (!result.formats) return;
    call<{ formats: FormatOffer[] }>("jobFormats", { params: { id: result.jobId } }).then(
      (r) => setOffers(r.formats),
      setError,
    );
  }, [result.jobId]);

  const download = async (o: FormatOffer) => {
    setError(null);
    try {
      if (!o.unlocked) {
        const ok = window.confirm(
          `Download the ${LABEL[o.format]}? It costs ${o.price} credit${o.price === 1 ? "" : "s"}, once: later downloads are free.`,
        );
        if (!ok) return;
        await call("unlockFormat", { params: { id: result.jobId, format: o.format } });
        setOffers(
          (list) =>
            list?.map((x) => (x.format === o.format ? { ...x, unlocked: true, price: 0 } : x)) ?? null,
        );
        onCredits?.();
      }
      const a = document.createElement("a");
      a.href = url("jobResult", { id: result.jobId }, { format: o.format });
      a.download = "";
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) {
      setError(e);
    }
  };

  const q = result.quality;
  return (
    <div class="result-panel" data-testid="result-panel">
      <div class="result-stats" data-testid="result-stats">
        {result.name ? (
          <span class="ellipsis" title="File name">
            {result.name}
          </span>
        ) : null}
        <span>
          SVG <strong>{formatBytes(result.bytes)}</strong>
        </span>
        <span>
          <strong>{result.paths}</strong> paths
        </span>
        {result.points !== undefined ? (
          <span title="Curve and line segments">
            <strong>{result.points}</strong> points
          </span>
        ) : null}
        {result.colors ? (
          <span>
            <strong>{result.colors}</strong> colours
          </span>
        ) : null}
        {result.cached ? <span class="muted">from an earlier identical job</span> : null}
      </div>
      {q ? (
        <div class="result-stats" data-testid="quality">
          <span title="Structural similarity to the original, 1 = identical">
            SSIM <strong>{q.ssim.toFixed(3)}</strong>
          </span>
          <span title="Mean colour difference (Oklab ΔE × 100), 0 = identical">
            ΔE <strong>{q.deltaE.toFixed(2)}</strong>
          </span>
          <span title="Gradient magnitude similarity deviation, 0 = identical edges">
            GMSD <strong>{q.gmsd.toFixed(3)}</strong>
          </span>
        </div>
      ) : null}
      {result.tune ? (
        <p class="hint" data-testid="tune">
          Auto-tune: {result.tune.attempts.length} option sets tried,{" "}
          {result.tune.met ? "target met" : "target not met (the closest kept)"}:{" "}
          {result.tune.attempts
            .map(
              (a, i) =>
                `${i === result.tune!.chosen ? "▸ " : ""}${formatBytes(a.bytes)} @ SSIM ${a.ssim.toFixed(3)}`,
            )
            .join(" · ")}
        </p>
      ) : null}
      <div class="downloads" data-testid="downloads">
        {offers ? (
          offers.map((o) => (
            <button
              key={o.format}
              type="button"
              class={`btn btn-sm${o.format === "svg" ? " btn-primary" : ""}`}
              data-testid={`download-${o.format}`}
              onClick={() => download(o)}
            >
              {LABEL[o.format]}
              {o.unlocked ? "" : ` · ${o.price} credit${o.price === 1 ? "" : "s"}`}
            </button>
          ))
        ) : (
          <a
            class="btn btn-primary btn-sm"
            href={`${svgUrlOf(result)}${result.formats ? "" : "?download=true"}`}
            download
            data-testid="download-svg"
          >
            Download SVG
          </a>
        )}
      </div>
      <ErrorBox error={error} />
    </div>
  );
}
