import { call, isTerminal, type Job } from "../../api";
import { JobProgress, StatusBadge, toastError } from "../../ui";
import type { JobFollow } from "./useJobFollow";

/** The stages a vectorize job moves through, as its progress reports them. */
const STAGES = ["queued", "decoding", "quantizing", "tracing", "measuring", "writing"];

/** The followed job's status, its stage among all of them with the percentage, and cancel. */
export function JobStatus({ f }: { f: JobFollow }) {
  const { job, progress, via } = f;
  if (!job) return null;
  const running = !isTerminal(job.status);
  // the live frames carry the stage; the job object itself only changes when the job ends
  const stage = progress?.stage && STAGES.includes(progress.stage) ? progress.stage : "queued";
  const at = STAGES.indexOf(stage);
  const percent = job.status === "succeeded" ? 100 : Math.round(progress?.percent ?? 0);
  return (
    <div class="job-status" data-testid="job-status">
      <div class="row-between">
        <span>
          <StatusBadge status={job.status} />{" "}
          {running ? (
            <span class="muted" data-testid="job-stage">
              {stage} · {percent}%
            </span>
          ) : null}
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
      <JobProgress status={job.status} percent={percent} label="Vectorize progress" />
      {job.type === "vectorize" && running ? (
        <ol class="stage-steps" aria-label="Stages">
          {STAGES.map((s, i) => (
            <li
              key={s}
              class={i === at ? "now" : i < at ? "past" : ""}
              aria-current={i === at ? "step" : undefined}
            >
              {s}
            </li>
          ))}
        </ol>
      ) : null}
      <p class="hint">
        {via === "poll" ? "Live updates by polling" : via === "ws" ? "Live updates over WebSocket" : ""}
        {job.error ? ` · ${job.error.message}` : ""}
      </p>
    </div>
  );
}
