import { useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  call,
  isTerminal,
  type Job,
  type JobWatch,
  type OrganizeRequest,
  type Progress,
  watchJob,
} from "../../api";
import { CancelJobButton, Dialog, JobProgress, navigate, progressText, StatusBadge, toast } from "../../ui";
import { Plan } from "./Plan";

export type JobCall = "organize" | "applyJob" | "rollbackJob";
const STARTED: Record<JobCall, string> = {
  organize: "Dry run started.",
  applyJob: "Applying the plan…",
  rollbackJob: "Rolling back…",
};

/** What an organize job is (its input's action) and what may follow it once it succeeded. */
function jobKind(job: Job) {
  const input = (job.input ?? {}) as Record<string, unknown>;
  const action = (input.action as string | undefined) ?? "plan";
  const dryRun = action === "plan" && input.dryRun === true;
  const title = dryRun ? "Plan (dry run)" : action === "rollback" ? "Rollback" : "Applied";
  const succeeded = job.status === "succeeded";
  return {
    title,
    canApply: succeeded && dryRun,
    canRollBack: succeeded && (action === "apply" || (action === "plan" && !dryRun)),
  };
}

/**
 * The organize job a page shows (its id in the page's URL, which `pathFor` makes): started, followed
 * live, applied, rolled back. The organizer and the Storage screen's "organize in place" share it.
 */
export function useOrganizeJob(jobId: string | null, pathFor: (jobId: string) => string) {
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [version, setVersion] = useState(0);
  const watch = useRef<JobWatch | null>(null);

  useEffect(() => () => watch.current?.stop(), []);
  useEffect(() => {
    if (jobId && jobId !== job?.id)
      call<{ job: Job }>("job", { params: { id: jobId } }).then((r) => follow(r.job), setError);
  }, [jobId]);

  const follow = (j: Job) => {
    watch.current?.stop();
    setJob(j);
    setProgress(j.progress);
    if (jobId !== j.id) navigate(pathFor(j.id), true);
    if (isTerminal(j.status)) {
      setVersion((v) => v + 1);
      return;
    }
    watch.current = watchJob(j.id, (u) => {
      if (u.progress) setProgress(u.progress);
      if (u.job) {
        setJob(u.job);
        if (isTerminal(u.job.status)) setVersion((v) => v + 1);
      }
    });
  };

  const run = async (name: JobCall, body?: OrganizeRequest) => {
    setError(null);
    try {
      const res =
        name === "organize"
          ? await call<{ job: Job }>("organize", { body })
          : await call<{ job: Job }>(name, { params: { id: job!.id } });
      follow(res.job);
      toast(STARTED[name], "ok");
    } catch (e) {
      if (e instanceof ApiError && e.code === "route_not_found") setMissing(true);
      setError(e);
    }
  };

  return { job, progress, error, missing, version, run };
}

/** One organize job: what it is, its progress, its plan once it ended, and what may be done next. */
export function JobPanel(props: {
  job: Job;
  progress: Progress | null;
  version: number;
  run: (name: JobCall) => Promise<void>;
  /** What the plan works on, when the page does not say (organize in place: the bucket and prefix). */
  where?: string;
}) {
  const { job, progress } = props;
  const [confirmRollback, setConfirmRollback] = useState(false);
  const kind = jobKind(job);
  const ended = isTerminal(job.status);

  return (
    <section class="panel" aria-labelledby="plan-h" data-testid="organize-job">
      <div class="row-between">
        <h2 id="plan-h">
          {kind.title} <StatusBadge status={job.status} />
        </h2>
        <div class="btn-row">
          {kind.canApply ? (
            <button type="button" class="btn btn-primary" onClick={() => props.run("applyJob")}>
              Apply plan
            </button>
          ) : null}
          {kind.canRollBack ? (
            <button type="button" class="btn btn-danger" onClick={() => setConfirmRollback(true)}>
              Roll back
            </button>
          ) : null}
          {ended ? null : <CancelJobButton jobId={job.id} />}
        </div>
      </div>
      {props.where ? <p class="muted">{props.where}</p> : null}
      <JobProgress status={job.status} percent={progress?.percent ?? 0} label="Organizer progress" />
      <p class="hint" data-testid="organize-progress">
        {progressText(progress)}
        {job.error ? ` · ${job.error.message}` : ""}
      </p>
      {ended ? <Plan job={job} version={props.version} /> : null}
      <Dialog open={confirmRollback} title="Roll back this plan?" onClose={() => setConfirmRollback(false)}>
        <p>
          Every file this plan moved goes back to where it was. Files you changed since then are left alone.
        </p>
        <div class="btn-row">
          <button
            type="button"
            class="btn btn-danger"
            onClick={() => {
              setConfirmRollback(false);
              props.run("rollbackJob");
            }}
          >
            Roll back
          </button>
          <button type="button" class="btn" onClick={() => setConfirmRollback(false)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </section>
  );
}
