import { useState } from "preact/hooks";
import {
  call,
  formatDate,
  JOB_STATUSES,
  JOB_TYPES,
  type Job,
  type JobAttempt,
  type Page,
  url,
} from "../../api";
import {
  Dialog,
  ErrorBox,
  MoreButton,
  RowActions,
  Select,
  StatusBadge,
  TableHead,
  toast,
  toastError,
  useLoad,
} from "../../ui";

interface ExplorerJob extends Job {
  owner: { id: string; email: string | null };
  errorCode: string | null;
  replayOf: string | null;
}

interface Detail {
  job: ExplorerJob;
  attempts: JobAttempt[];
  replayedBy: string | null;
  source: { id: string; name: string; mime: string; size: number; trashed: boolean } | null;
}

type Filter = { type: string; status: string; owner: string; errorCode: string; q: string };
const EMPTY: Filter = { type: "", status: "", owner: "", errorCode: "", q: "" };
const clean = (f: Filter) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ""));

/**
 * Every user's jobs with the owner; filters and a file-name search; a job opens with every attempt
 * and its source. Replay (failed ones) and cancel act on exactly what the filter selects, after a
 * count the admin confirms.
 */
export function JobExplorer() {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [rows, setRows] = useState<ExplorerJob[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const first = useLoad(async () => {
    const page = await call<Page<ExplorerJob>>("adminJobs", { query: { ...clean(filter), limit: 50 } });
    setRows(page.items);
    setNext(page.nextCursor);
    return page;
  }, [JSON.stringify(filter)]);
  const more = async () => {
    if (!next) return;
    const page = await call<Page<ExplorerJob>>("adminJobs", {
      query: { ...clean(filter), limit: 50, cursor: next },
    });
    setRows((r) => [...r, ...page.items]);
    setNext(page.nextCursor);
  };
  const [open, setOpen] = useState<string | null>(null);
  const [bulk, setBulk] = useState<{ action: "replay" | "cancel"; count: number } | null>(null);
  const count = async (action: "replay" | "cancel") => {
    try {
      const preview = await call<{ count: number }>(
        action === "replay" ? "adminReplayJobs" : "adminCancelJobs",
        {
          body: { filter: clean(filter) },
        },
      );
      setBulk({ action, count: preview.count });
    } catch (e) {
      toastError(e);
    }
  };
  const confirm = async () => {
    if (!bulk) return;
    try {
      const body = { filter: clean(filter), confirmCount: bulk.count };
      if (bulk.action === "replay") {
        const r = await call<{ replayed: unknown[]; skipped: { insufficientCredits: unknown[] } }>(
          "adminReplayJobs",
          { body },
        );
        toast(
          `Replayed ${r.replayed.length}; ${r.skipped.insufficientCredits.length} skipped for credits.`,
          "ok",
        );
      } else {
        const r = await call<{ cancelled: unknown[] }>("adminCancelJobs", { body });
        toast(`Cancelled ${r.cancelled.length}.`, "ok");
      }
      first.reload();
    } catch (e) {
      toastError(e);
    }
    setBulk(null);
  };
  const text = (k: keyof Filter, label: string) => (
    <input
      type="search"
      aria-label={label}
      placeholder={label}
      onChange={(e) => setFilter((f) => ({ ...f, [k]: (e.target as HTMLInputElement).value.trim() }))}
    />
  );
  return (
    <section aria-label="Job explorer">
      <div class="filters">
        <Select
          aria-label="Type"
          all="Any type"
          value={filter.type}
          options={JOB_TYPES}
          onValue={(type) => setFilter((f) => ({ ...f, type }))}
        />
        <Select
          aria-label="Status"
          all="Any status"
          value={filter.status}
          options={JOB_STATUSES}
          onValue={(status) => setFilter((f) => ({ ...f, status }))}
        />
        {text("owner", "Owner (id or email)")}
        {text("errorCode", "Error code")}
        {text("q", "Source file name")}
        <button type="button" class="btn" onClick={() => count("replay")}>
          Replay failed…
        </button>
        <button type="button" class="btn" onClick={() => count("cancel")}>
          Cancel matching…
        </button>
      </div>
      <p class="muted">
        Batches count once here, as in the Activity chart; their traces are listed under them.
      </p>
      <ErrorBox error={first.error} />
      <div class="table-scroll">
        <table class="table" aria-busy={first.loading} data-testid="jobs-table">
          <TableHead columns={["Created", "Type", "Owner", "Status", "Error", "Attempts"]} actions />
          <tbody>
            {rows.map((j) => (
              <tr key={j.id}>
                <td>{formatDate(j.createdAt)}</td>
                <td>{j.type}</td>
                <td>{j.owner.email ?? j.owner.id}</td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td>{j.errorCode ?? "–"}</td>
                <td>{j.attempts}</td>
                <RowActions
                  name={`job ${j.id}`}
                  actions={[{ label: "Open", onClick: () => setOpen(j.id) }]}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next ? <MoreButton onClick={more}>More</MoreButton> : null}
      <Dialog
        open={bulk !== null}
        title={bulk?.action === "replay" ? "Replay failed jobs" : "Cancel jobs"}
        onClose={() => setBulk(null)}
      >
        <p data-testid="bulk-count">
          {bulk?.count ?? 0} job{bulk?.count === 1 ? "" : "s"} match
          {bulk?.action === "replay"
            ? " (failed, never replayed; credits are reserved again)."
            : " (queued or running)."}
        </p>
        <div class="row">
          <button type="button" class="btn btn-primary" disabled={!bulk?.count} onClick={confirm}>
            {bulk?.action === "replay" ? "Replay" : "Cancel"} {bulk?.count ?? 0}
          </button>
          <button type="button" class="btn" onClick={() => setBulk(null)}>
            Close
          </button>
        </div>
      </Dialog>
      {open ? <JobDetail id={open} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}

function JobDetail(props: { id: string; onClose: () => void }) {
  const { data, error } = useLoad(() => call<Detail>("adminJob", { params: { id: props.id } }), [props.id]);
  return (
    <Dialog open title={`Job ${props.id}`} onClose={props.onClose}>
      <ErrorBox error={error} />
      {data ? (
        <div data-testid="job-detail">
          <p>
            {data.job.type} by {data.job.owner.email ?? data.job.owner.id} ·{" "}
            <StatusBadge status={data.job.status} />
            {data.job.replayOf ? ` · replays ${data.job.replayOf}` : ""}
            {data.replayedBy ? ` · replayed as ${data.replayedBy}` : ""}
          </p>
          {data.source ? (
            <p>
              Source:{" "}
              <a href={url("adminJobSource", { id: props.id })} target="_blank" rel="noopener noreferrer">
                {data.source.name}
              </a>{" "}
              ({data.source.mime})
            </p>
          ) : null}
          {data.job.result ? (
            <details>
              <summary>Result</summary>
              <pre class="cell-wrap">{JSON.stringify(data.job.result, null, 2)}</pre>
            </details>
          ) : null}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
          <section class="table-scroll" tabIndex={0} aria-label="Attempts">
            <table class="table" data-testid="attempts-table">
              <TableHead columns={["#", "Started", "Ended", "Outcome", "Error", "Stages (ms)"]} />
              <tbody>
                {data.attempts.map((a) => (
                  <tr key={a.attempt}>
                    <td>{a.attempt}</td>
                    <td>{formatDate(a.startedAt)}</td>
                    <td>{formatDate(a.endedAt)}</td>
                    <td>{a.outcome}</td>
                    <td>{a.errorCode ? `${a.errorCode}: ${a.errorMessage ?? ""}` : "–"}</td>
                    <td>
                      {Object.entries(a.stageTimings ?? {})
                        .map(([k, v]) => `${k} ${v}`)
                        .join(", ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      ) : null}
      <button type="button" class="btn" onClick={props.onClose}>
        Close
      </button>
    </Dialog>
  );
}
