import { call, isTerminal, type Job } from "../../api";
import { JobProgress, StatusBadge, toastError } from "../../ui";
import type { JobFollow } from "./useJobFollow";

/** The followed job's status, stage, progress bar and cancel button. */
export function JobStatus({ f }: { f: JobFollow }) {
  const { job, progress, via } = f;
  if (!job) return null;
  const running = !isTerminal(job.status);
  return (
    <div class="job-status" data-testid="job-status">
      <div class="row-between">
        <span>
          <StatusBadge status={job.status} />{" "}
          {progress?.stage ? <span class="muted">{progress.stage}</span> : null}
        </span>
        {running ? (
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() =>
              call<{ job: Job }>("cancelJob", { params: { id: job.id } }).then(
                (r) => f.setJob(r.job),
                toastError,
              )
            }
          >
            Cancel
          </button>
        ) : null}
      </div>
      <JobProgress status={job.status} percent={progress?.percent ?? 0} label="Vectorize progress" />
      <p class="hint">
        {via === "poll" ? "Live updates by polling" : via === "ws" ? "Live updates over WebSocket" : ""}
        {job.error ? ` · ${job.error.message}` : ""}
      </p>
    </div>
  );
}
