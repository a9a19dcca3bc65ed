import { useEffect, useState } from "preact/hooks";
import {
  call,
  isTerminal,
  type Job,
  type Media,
  type TraceOptions,
  type TracePreset,
  uploadFile,
} from "../../api";
import { Empty, ErrorBox, navigate, toast } from "../../ui";
import { BatchResults } from "./BatchResults";
import { Compare } from "./Compare";
import { JobStatus } from "./JobStatus";
import { OptionsPanel } from "./OptionsPanel";
import { effective, type Opts } from "./presets";
import { readResult } from "./result";
import { SourcePicker } from "./SourcePicker";
import { useJobFollow } from "./useJobFollow";

/** The vectorize studio: a source (or a batch from the library's selection), options, the job, the result. */
export function VectorizeScreen({ query }: { query: URLSearchParams }) {
  const batchIds = (query.get("batch") ?? "").split(",").filter(Boolean);
  const [source, setSource] = useState<Media | null>(null);
  const [preset, setPreset] = useState<TracePreset | null>("logo");
  const [overrides, setOverrides] = useState<Partial<Opts>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const f = useJobFollow();
  const { job, setJob, follow } = f;
  const opts = effective(preset, overrides);

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

  const start = async () => {
    setError(null);
    setBusy(true);
    f.clearChildren();
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
      const { media } = await uploadFile(file, "/", () => {}).promise;
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

        <OptionsPanel
          preset={preset}
          setPreset={setPreset}
          overrides={overrides}
          setOverrides={setOverrides}
        />

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

        <JobStatus f={f} />
      </section>

      <section class="studio-stage" aria-label="Result">
        {isBatch && job ? (
          <BatchResults children={f.children} />
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
