import { useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  call,
  DUPLICATE_MODES,
  type FolderNode,
  formatBytes,
  isTerminal,
  type Job,
  type JobWatch,
  KEEP_POLICIES,
  MATCH_KINDS,
  type MatchKind,
  PLAN_KINDS,
  type Progress,
  watchJob,
} from "../api";
import {
  Dialog,
  Empty,
  ErrorBox,
  JobProgress,
  navigate,
  Select,
  StatusBadge,
  toast,
  toastError,
  useLoad,
} from "../ui";
import { MATCH_LABELS, Plan } from "./organizer/Plan";
import { RulesPanel } from "./organizer/Rules";
import { SettingsPanel } from "./organizer/Settings";

const TABS = { plan: "Plan", rules: "Rules", settings: "Settings" } as const;
type Tab = keyof typeof TABS;
const KIND_LABELS: Record<(typeof PLAN_KINDS)[number], string> = {
  organize: "Organize by your rules",
  dedupe: "Only handle duplicates",
};
const DUPLICATE_LABELS: Record<(typeof DUPLICATE_MODES)[number], string> = {
  report: "Only report them",
  move: "Move extra copies aside",
  trash: "Move extra copies to trash",
  stack: "Stack them (keep all, show one)",
};
const KEEP_LABELS: Record<(typeof KEEP_POLICIES)[number], string> = {
  oldest: "the oldest copy",
  newest: "the newest copy",
  "largest-resolution": "the largest picture",
  "shortest-path": "the copy with the shortest path",
  protected: "the copy in a protected folder",
};

/** "scan · 1,200 / 5,000 files · 3 MB / 12 MB" — files and bytes when the job counts them. */
export function progressText(p: Progress | null): string {
  if (!p?.total) return p?.stage ?? "";
  const unit = p.unit ? ` ${p.unit}` : "";
  const bytes = p.bytesTotal ? ` · ${formatBytes(p.bytesDone ?? 0)} / ${formatBytes(p.bytesTotal)}` : "";
  return `${p.stage} · ${p.done.toLocaleString("en")} / ${p.total.toLocaleString("en")}${unit}${bytes}`;
}

function flatten(node: FolderNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  out.push(node.path);
  for (const c of node.children) flatten(c, out);
  return out;
}

export function OrganizerScreen({ query }: { query: URLSearchParams }) {
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), []);
  const [folder, setFolder] = useState("/");
  const [kind, setKind] = useState<(typeof PLAN_KINDS)[number]>("organize");
  const [match, setMatch] = useState<MatchKind>("bytes");
  const [threshold, setThreshold] = useState("10");
  const [duplicates, setDuplicates] = useState<(typeof DUPLICATE_MODES)[number]>("report");
  const [keep, setKeep] = useState<(typeof KEEP_POLICIES)[number]>("oldest");
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [confirmRollback, setConfirmRollback] = useState(false);
  const [version, setVersion] = useState(0);
  const watch = useRef<JobWatch | null>(null);
  const jobId = query.get("job");
  const tab: Tab = (query.get("tab") as Tab | null) ?? "plan";

  useEffect(() => () => watch.current?.stop(), []);
  useEffect(() => {
    if (jobId && jobId !== job?.id)
      call<{ job: Job }>("job", { params: { id: jobId } }).then((r) => follow(r.job), setError);
  }, [jobId]);

  const follow = (j: Job) => {
    watch.current?.stop();
    setJob(j);
    setProgress(j.progress);
    if (jobId !== j.id) navigate(`/organize?job=${j.id}`, true);
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

  const run = async (name: "organize" | "applyJob" | "rollbackJob") => {
    setError(null);
    try {
      const res =
        name === "organize"
          ? await call<{ job: Job }>("organize", {
              body: {
                folder,
                dryRun: true,
                kind,
                match,
                ...(match === "similar" ? { threshold: Number(threshold) } : {}),
                duplicates,
                keep,
              },
            })
          : await call<{ job: Job }>(name, { params: { id: job!.id } });
      follow(res.job);
      toast(
        name === "organize"
          ? "Dry run started."
          : name === "applyJob"
            ? "Applying the plan…"
            : "Rolling back…",
        "ok",
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === "route_not_found") setMissing(true);
      setError(e);
    }
  };

  const input = (job?.input ?? {}) as Record<string, unknown>;
  const action = (input.action as string | undefined) ?? "plan";
  const dryRun = action === "plan" && input.dryRun === true;
  const canRollBack = action === "apply" || (action === "plan" && !dryRun);
  const running = job && !isTerminal(job.status);

  return (
    <div class="page page-wide">
      <h1>Organizer</h1>
      <p class="muted">
        Sorts a folder by your rules and finds duplicates. A dry run only makes a plan; nothing moves until
        you apply it, and every applied plan can be rolled back.
      </p>
      <div class="tabs" role="tablist" aria-label="Organizer sections">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            class={tab === t ? "on" : ""}
            onClick={() =>
              navigate(t === "plan" ? `/organize${job ? `?job=${job.id}` : ""}` : `/organize?tab=${t}`)
            }
          >
            {TABS[t]}
          </button>
        ))}
      </div>
      {tab === "rules" ? (
        <div role="tabpanel">
          <Select
            label="Preview on folder"
            value={folder}
            onValue={setFolder}
            options={flatten(tree.data?.root).map((p) => ({
              value: p,
              label: p === "/" ? "All files (/)" : p,
            }))}
          />
          <RulesPanel folder={folder} />
        </div>
      ) : tab === "settings" ? (
        <div role="tabpanel">
          <SettingsPanel />
        </div>
      ) : (
        <div role="tabpanel">
          {missing ? (
            <div class="error-box" role="alert">
              The organizer API is not available on this server yet.
            </div>
          ) : null}
          <section class="panel">
            <form
              class="org-form"
              onSubmit={(e) => {
                e.preventDefault();
                run("organize");
              }}
            >
              <Select
                label="Folder"
                value={folder}
                onValue={setFolder}
                options={flatten(tree.data?.root).map((p) => ({
                  value: p,
                  label: p === "/" ? "All files (/)" : p,
                }))}
              />
              <Select
                label="Plan"
                value={kind}
                onValue={setKind}
                options={PLAN_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
              />
              <Select
                label="Duplicates are"
                value={match}
                onValue={setMatch}
                options={MATCH_KINDS.map((m) => ({ value: m, label: MATCH_LABELS[m] }))}
              />
              {match === "similar" ? (
                <label>
                  Within (bits)
                  <input
                    type="number"
                    min={0}
                    max={12}
                    value={threshold}
                    onInput={(e) => setThreshold((e.target as HTMLInputElement).value)}
                  />
                </label>
              ) : null}
              <Select
                label="Extra copies"
                value={duplicates}
                onValue={setDuplicates}
                options={DUPLICATE_MODES.map((d) => ({ value: d, label: DUPLICATE_LABELS[d] }))}
              />
              <Select
                label="Keep"
                value={keep}
                onValue={setKeep}
                options={KEEP_POLICIES.map((k) => ({ value: k, label: KEEP_LABELS[k] }))}
              />
              <button type="submit" class="btn btn-primary" disabled={!!running}>
                Run dry run
              </button>
            </form>
            <ErrorBox error={error} />
          </section>

          {job ? (
            <section class="panel" aria-labelledby="plan-h" data-testid="organize-job">
              <div class="row-between">
                <h2 id="plan-h">
                  {dryRun ? "Plan (dry run)" : action === "rollback" ? "Rollback" : "Applied"}{" "}
                  <StatusBadge status={job.status} />
                </h2>
                <div class="btn-row">
                  {job.status === "succeeded" && dryRun ? (
                    <button type="button" class="btn btn-primary" onClick={() => run("applyJob")}>
                      Apply plan
                    </button>
                  ) : null}
                  {job.status === "succeeded" && canRollBack ? (
                    <button type="button" class="btn btn-danger" onClick={() => setConfirmRollback(true)}>
                      Roll back
                    </button>
                  ) : null}
                  {running ? (
                    <button
                      type="button"
                      class="btn"
                      onClick={() => call("cancelJob", { params: { id: job.id } }).catch(toastError)}
                    >
                      Cancel
                    </button>
                  ) : null}
                </div>
              </div>
              <JobProgress status={job.status} percent={progress?.percent ?? 0} label="Organizer progress" />
              <p class="hint" data-testid="organize-progress">
                {progressText(progress)}
                {job.error ? ` · ${job.error.message}` : ""}
              </p>
              {isTerminal(job.status) ? <Plan job={job} version={version} /> : null}
            </section>
          ) : (
            <Empty title="No plan yet">
              <p>Choose a folder and run a dry run to see what would change.</p>
            </Empty>
          )}
        </div>
      )}
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
              run("rollbackJob");
            }}
          >
            Roll back
          </button>
          <button type="button" class="btn" onClick={() => setConfirmRollback(false)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </div>
  );
}
