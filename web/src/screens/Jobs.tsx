import { useEffect, useState } from "preact/hooks";
import { call, formatDate, isTerminal, JOB_STATUSES, JOB_TYPES, type Job, type Page } from "../api";
import { usePaged } from "../hooks/usePaged";
import {
  Empty,
  ErrorBox,
  JobProgress,
  MoreButton,
  navigate,
  Select,
  StatusBadge,
  TableHead,
  toast,
  toastError,
  useSession,
} from "../ui";

function duration(j: Job): string {
  if (!j.startedAt) return "–";
  const ms = new Date(j.finishedAt ?? Date.now()).getTime() - new Date(j.startedAt).getTime();
  return ms < 1000
    ? `${ms} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

export function openJob(j: Job) {
  if (j.type === "organize") navigate(`/organize?job=${j.id}`);
  else if (j.type === "vectorize-batch") navigate(`/vectorize?job=${j.id}`);
  else navigate(`/vectorize?job=${j.id}`);
}

/** The job history, used by Jobs (mine) and Admin (everyone's). */
export function JobsTable(props: { scope: "mine" | "all"; compact?: boolean }) {
  const { me } = useSession();
  const [type, setType] = useState("");
  const [status, setStatus] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [tick, setTick] = useState(0);

  const query = {
    type: type || undefined,
    status: status || undefined,
    from: from ? new Date(from).toISOString() : undefined,
    to: to ? new Date(new Date(to).getTime() + 86_399_000).toISOString() : undefined,
    scope: props.scope,
    limit: 25,
  };
  const jobs = usePaged(
    (cursor) => call<Page<Job>>("jobs", { query: { ...query, cursor } }),
    [type, status, from, to, props.scope, tick],
  );
  const { items, cursor, loading, error } = jobs;

  // Live status: refresh quietly while something is still running.
  const active = items.some((j) => !isTerminal(j.status));
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => jobs.reload(true), 2000);
    return () => clearInterval(t);
  }, [active, type, status, from, to, props.scope]);

  const cancel = async (j: Job) => {
    try {
      await call("cancelJob", { params: { id: j.id } });
      toast("Cancel requested.", "ok");
      setTick((t) => t + 1);
    } catch (e) {
      toastError(e);
    }
  };
  const retry = async (ids: string[] | "all") => {
    try {
      const { requeued } = await call<{ requeued: string[] }>("adminRetryJobs", {
        body: ids === "all" ? { allFailed: true } : { jobIds: ids },
      });
      toast(`${requeued.length} job${requeued.length === 1 ? "" : "s"} requeued.`, "ok");
      setTick((t) => t + 1);
    } catch (e) {
      toastError(e);
    }
  };
  const admin = me?.role === "admin";

  return (
    <div>
      <div class="filters">
        <Select aria-label="Job type" value={type} onValue={setType} all="All types" options={JOB_TYPES} />
        <Select
          aria-label="Job status"
          value={status}
          onValue={setStatus}
          all="All statuses"
          options={JOB_STATUSES}
        />
        <input
          type="date"
          aria-label="Created from"
          value={from}
          onChange={(e) => setFrom((e.target as HTMLInputElement).value)}
        />
        <input
          type="date"
          aria-label="Created to"
          value={to}
          onChange={(e) => setTo((e.target as HTMLInputElement).value)}
        />
        <button type="button" class="btn" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
        {admin && props.scope === "all" ? (
          <button type="button" class="btn" onClick={() => retry("all")}>
            Retry all failed
          </button>
        ) : null}
      </div>
      <ErrorBox error={error} />
      {!items.length && !loading ? (
        <Empty title="No jobs match">
          <p>Vectorize an image or run the organizer and its job shows up here.</p>
        </Empty>
      ) : (
        <div class="table-scroll">
          <table class="table" aria-busy={loading} data-testid="jobs-table">
            <TableHead columns={["Job", "Type", "Status", "Progress", "Created", "Duration"]} actions />
            <tbody>
              {items.map((j) => (
                <tr key={j.id}>
                  <td class="mono">{j.id.slice(0, 14)}…</td>
                  <td>{j.type}</td>
                  <td>
                    <StatusBadge status={j.status} />
                    {j.error ? (
                      <div class="hint" title={j.error.message}>
                        {j.error.code}
                      </div>
                    ) : null}
                  </td>
                  <td class="cell-progress">
                    <JobProgress
                      status={j.status}
                      percent={j.progress.percent}
                      label={`Progress of ${j.id}`}
                    />
                  </td>
                  <td>{formatDate(j.createdAt)}</td>
                  <td>{duration(j)}</td>
                  <td class="actions">
                    <button type="button" class="btn btn-sm" onClick={() => openJob(j)}>
                      Open
                    </button>
                    {!isTerminal(j.status) ? (
                      <button type="button" class="btn btn-sm" onClick={() => cancel(j)}>
                        Cancel
                      </button>
                    ) : null}
                    {admin && j.status === "failed" ? (
                      <button type="button" class="btn btn-sm" onClick={() => retry([j.id])}>
                        Retry
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? <MoreButton onClick={jobs.more}>Load more</MoreButton> : null}
    </div>
  );
}

export function JobsScreen() {
  return (
    <div class="page page-wide">
      <h1>Jobs</h1>
      <p class="muted">Your vectorize and organize jobs, newest first. Running jobs update live.</p>
      <JobsTable scope="mine" />
    </div>
  );
}
