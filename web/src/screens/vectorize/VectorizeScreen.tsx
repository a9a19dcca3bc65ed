import { useEffect, useState } from "preact/hooks";
import { call, isTerminal, type Job, type Media, type Quote, uploadFile } from "../../api";
import { Empty, ErrorBox, navigate, toast } from "../../ui";
import { BatchResults } from "./BatchResults";
import { Compare } from "./Compare";
import { JobStatus } from "./JobStatus";
import { OptionsPanel } from "./OptionsPanel";
import { PricingBox } from "./PricingBox";
import { ResultPanel } from "./ResultPanel";
import { readResult, svgUrlOf } from "./result";
import { SourcePicker } from "./SourcePicker";
import { useJobFollow } from "./useJobFollow";
import { useStudioOptions } from "./useStudioOptions";

/** The colours an SVG paints (fills and strokes), for "palette from result". */
async function coloursOf(svgUrl: string): Promise<string[]> {
  const text = await (await fetch(svgUrl, { credentials: "same-origin" })).text();
  const found = [...text.matchAll(/(?:fill|stroke|stop-color)="(#[0-9a-f]{3,6})"/gi)].map((m) => {
    const c = m[1]!.toLowerCase();
    return c.length === 4 ? `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}` : c;
  });
  return [...new Set(found)];
}

/** What the studio's button says: it runs, re-runs, or starts a batch. */
function runLabel(running: boolean, hasJob: boolean, isBatch: boolean, count: number): string {
  if (running) return "Working…";
  if (hasJob) return isBatch ? "Run batch again" : "Re-run with these options";
  return isBatch ? `Vectorize ${count} images` : "Vectorize";
}

interface UrlSourceDeps {
  job: Job | null;
  source: Media | null;
  setSource: (m: Media) => void;
  setSourceError: (e: unknown) => void;
  setError: (e: unknown) => void;
  restore: (job: Job) => void;
  follow: (job: Job) => void;
}

/** Loads the source from the URL: ?media=, ?job= (a reopened job brings its own options back). */
function useUrlSource(query: URLSearchParams, d: UrlSourceDeps) {
  const loadMedia = (id: string) =>
    call<{ media: Media }>("mediaOne", { params: { id } }).then(
      (r) => d.setSource(r.media),
      d.setSourceError,
    );
  useEffect(() => {
    const mediaId = query.get("media");
    const jobId = query.get("job");
    // a job the studio started itself is already followed (the URL only names it)
    if (jobId && jobId !== d.job?.id) {
      call<{ job: Job }>("job", { params: { id: jobId } })
        .then(({ job }) => {
          const src = job.input.mediaId as string | undefined;
          if (src) loadMedia(src);
          d.restore(job);
          d.follow(job);
        })
        .catch(d.setError);
    } else if (mediaId && mediaId !== d.source?.id) {
      loadMedia(mediaId);
    }
  }, [query.get("media"), query.get("job")]);
}

/** The vectorize studio: a source (or a batch from the library's selection), options, the job, the result. */
export function VectorizeScreen({ query }: { query: URLSearchParams }) {
  const batchIds = (query.get("batch") ?? "").split(",").filter(Boolean);
  const [source, setSource] = useState<Media | null>(null);
  const s = useStudioOptions();
  // errors shown where they happen: the source's (upload, pick) beside it, the run's by the button
  const [sourceError, setSourceError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const f = useJobFollow();
  const { job, setJob, follow } = f;

  useUrlSource(query, { job, source, setSource, setSourceError, setError, restore: s.restore, follow });

  const isBatch = batchIds.length > 1;
  const ids = isBatch ? batchIds : source?.id ? [source.id] : batchIds.slice(0, 1);

  /** First the price: the request is only sent once the user confirms it. */
  const ask = async () => {
    setError(null);
    setBusy(true);
    try {
      const { options, pricing } = s.request();
      setQuote(await call<Quote>("vectorizeQuote", { body: { mediaIds: ids, options, pricing } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    setQuote(null);
    setError(null);
    setBusy(true);
    f.clearChildren();
    const { options, pricing } = s.request();
    try {
      const started = isBatch
        ? await call<{ job: Job }>("vectorizeBatch", { body: { mediaIds: batchIds, options, pricing } })
        : await call<{ job: Job }>("vectorize", { body: { mediaId: ids[0], options, pricing } });
      follow(started.job);
      navigate(`/vectorize?job=${started.job.id}`, true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onDropFile = async (file: File) => {
    setSourceError(null);
    try {
      const { media } = await uploadFile(file, "/", () => {}).promise;
      toast(`Uploaded ${media.name}.`, "ok");
      setSource(media);
      setJob(null);
      navigate(`/vectorize?media=${media.id}`, true);
    } catch (e) {
      setSourceError(e);
    }
  };

  const result = job?.status === "succeeded" && job.type === "vectorize" ? readResult(job) : null;
  const svgUrl = result ? svgUrlOf(result) : null;
  useEffect(() => {
    setSuggestions([]);
    if (svgUrl) coloursOf(svgUrl).then(setSuggestions, () => {});
  }, [svgUrl]);
  const running = job && !isTerminal(job.status);

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
              setSourceError(null);
              setSource(m);
              setJob(null);
              navigate(`/vectorize?media=${m.id}`, true);
            }}
            onFile={onDropFile}
          />
        )}
        <div data-testid="source-error">
          <ErrorBox error={sourceError} />
        </div>

        <OptionsPanel s={s} suggestions={suggestions} />
        <PricingBox
          pricing={s.pricing}
          setPricing={(p) => {
            s.setPricing(p);
            setQuote(null);
          }}
          quote={quote}
          onConfirm={start}
          onCancel={() => setQuote(null)}
        />

        {quote ? null : (
          <button
            type="button"
            class="btn btn-primary btn-block"
            disabled={busy || !!running || !ids.length}
            onClick={ask}
          >
            {runLabel(!!running, !!job, isBatch, batchIds.length)}
          </button>
        )}
        <ErrorBox error={error} />

        <JobStatus f={f} />
      </section>

      <section class="studio-stage" aria-label="Result">
        <Stage batch={isBatch && job ? f.children : null} source={source} result={result} svgUrl={svgUrl} />
      </section>
    </div>
  );
}

/** The stage: a batch's results, or the one source beside its result, or a hint to pick one. */
function Stage({
  batch,
  source,
  result,
  svgUrl,
}: {
  batch: Job[] | null;
  source: Media | null;
  result: ReturnType<typeof readResult> | null;
  svgUrl: string | null;
}) {
  if (batch) return <BatchResults children={batch} />;
  if (!source)
    return (
      <Empty title="Pick an image to start">
        <p>Choose one from your library on the left, or drop an image file there.</p>
      </Empty>
    );
  return (
    <>
      {result ? <ResultPanel result={result} /> : null}
      <Compare source={source} svgUrl={svgUrl} />
    </>
  );
}
