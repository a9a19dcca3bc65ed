import { useEffect, useRef, useState } from "preact/hooks";
import {
  ApiError,
  call,
  type DuplicateGroup,
  type FolderNode,
  formatBytes,
  getText,
  isTerminal,
  type Job,
  type JobWatch,
  type OrganizeFile,
  type Page,
  type Progress,
  url,
  watchJob,
} from "../api";
import { usePaged } from "../hooks/usePaged";
import {
  Dialog,
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
  useLoad,
} from "../ui";

const FILE_STATUSES = [
  "planned",
  "unchanged",
  "skipped",
  "moved",
  "trashed",
  "rolled-back",
  "rollback-skipped",
];

function flatten(node: FolderNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  out.push(node.path);
  for (const c of node.children) flatten(c, out);
  return out;
}

type Totals = { category: string; files: number; bytes: number }[];

/** The plan's summary (per-category counts and bytes) from the JSON report, read once per plan state. */
async function loadSummary(jobId: string): Promise<{ byCategory: Totals; state?: string } | null> {
  try {
    const text = await getText("jobReport", { id: jobId }, { format: "json" });
    const json = JSON.parse(text) as { summary?: { byCategory?: Totals; state?: string } };
    return { byCategory: json.summary?.byCategory ?? [], state: json.summary?.state };
  } catch {
    return null;
  }
}

export function OrganizerScreen({ query }: { query: URLSearchParams }) {
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), []);
  const [folder, setFolder] = useState("/");
  const [duplicates, setDuplicates] = useState<"report" | "move" | "trash">("report");
  const [keep, setKeep] = useState<"oldest" | "newest" | "shortest-path">("oldest");
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [confirmRollback, setConfirmRollback] = useState(false);
  const [version, setVersion] = useState(0);
  const watch = useRef<JobWatch | null>(null);
  const jobId = query.get("job");

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
          ? await call<{ job: Job }>("organize", { body: { folder, dryRun: true, duplicates, keep } })
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
        Sorts a folder into categories and finds duplicates. A dry run only makes a plan; nothing moves until
        you apply it, and every applied plan can be rolled back.
      </p>
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
            label="Duplicates"
            value={duplicates}
            onValue={setDuplicates}
            options={[
              { value: "report", label: "Only report them" },
              { value: "move", label: "Move extra copies aside" },
              { value: "trash", label: "Move extra copies to trash" },
            ]}
          />
          <Select
            label="Keep"
            value={keep}
            onValue={setKeep}
            options={[
              { value: "oldest", label: "the oldest copy" },
              { value: "newest", label: "the newest copy" },
              { value: "shortest-path", label: "the copy with the shortest path" },
            ]}
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
          <p class="hint">
            {progress?.stage ?? ""} {progress?.total ? `${progress.done} / ${progress.total}` : ""}
            {job.error ? ` · ${job.error.message}` : ""}
          </p>
          {isTerminal(job.status) ? <Plan job={job} version={version} /> : null}
        </section>
      ) : (
        <Empty title="No plan yet">
          <p>Choose a folder and run a dry run to see what would change.</p>
        </Empty>
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

function Plan({ job: shown, version }: { job: Job; version: number }) {
  // Apply and rollback jobs point at their plan; the plan's id reads the records in every server version.
  const planId = typeof shown.input.planJobId === "string" ? shown.input.planJobId : shown.id;
  const job = { id: planId };
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const [reportHtml, setReportHtml] = useState<string | null>(null);
  const summary = useLoad(() => loadSummary(job.id), [job.id, version]);
  const dups = useLoad(
    () =>
      call<{ groups: DuplicateGroup[] }>("jobDuplicates", { params: { id: job.id } }).catch(() => ({
        groups: [],
      })),
    [job.id, version],
  );
  const records = usePaged(
    (cursor) =>
      call<Page<OrganizeFile>>("jobFiles", {
        params: { id: job.id },
        query: { status: status || undefined, category: category || undefined, cursor, limit: 50 },
      }),
    [job.id, status, category, version],
  );
  const { items: files, cursor, error } = records;

  const totals = summary.data?.byCategory ?? [];
  const maxBytes = Math.max(1, ...totals.map((t) => t.bytes || t.files));
  const groups = dups.data?.groups ?? [];
  const reclaim = groups.reduce((a, g) => a + (g.reclaimableBytes ?? g.totalBytes - g.size), 0);

  return (
    <div class="plan">
      <div class="plan-top">
        <div>
          <h3>Bytes per category</h3>
          <div
            class="chart"
            role="img"
            aria-label={`Categories: ${totals.map((t) => `${t.category} ${t.files} files`).join(", ")}`}
            data-testid="category-chart"
          >
            {totals.map((t) => (
              <div class="bar-row" key={t.category}>
                <span class="bar-label">{t.category}</span>
                <span class="bar" style={{ width: `${((t.bytes || t.files) / maxBytes) * 100}%` }} />
                <span class="bar-num">
                  {t.files} · {formatBytes(t.bytes)}
                </span>
              </div>
            ))}
            {!totals.length ? <p class="muted">No files in this plan.</p> : null}
          </div>
        </div>
        <div>
          <h3>Duplicates</h3>
          <p>
            {groups.length} group{groups.length === 1 ? "" : "s"} · <strong>{formatBytes(reclaim)}</strong>{" "}
            reclaimable
          </p>
          <ul class="dup-list">
            {groups.slice(0, 20).map((g) => (
              <li key={g.sha256}>
                <span class="mono">{g.sha256.slice(0, 10)}</span> × {g.count} ({formatBytes(g.size)} each)
                <ul>
                  {g.files.map((f) => (
                    <li key={f.mediaId} class="muted ellipsis">
                      {f.originalPath} {f.mediaId === g.keep || !f.duplicateOf ? "(kept)" : `→ ${f.action}`}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <h3>Files</h3>
      <div class="filters">
        <Select
          aria-label="Filter by category"
          value={category}
          onValue={setCategory}
          all="All categories"
          options={totals.map((t) => t.category)}
        />
        <Select
          aria-label="Filter by file status"
          value={status}
          onValue={setStatus}
          all="All statuses"
          options={FILE_STATUSES}
        />
        <button
          type="button"
          class="btn"
          onClick={() =>
            getText("jobReport", { id: job.id }, { format: "html" }).then(setReportHtml, toastError)
          }
        >
          Open report
        </button>
        <a class="btn" href={url("jobReport", { id: job.id }, { format: "csv" })} download>
          CSV
        </a>
        <a class="btn" href={url("jobReport", { id: job.id }, { format: "json" })} download>
          JSON
        </a>
      </div>
      <ErrorBox error={error} />
      <div class="table-scroll">
        <table class="table" data-testid="plan-files">
          <TableHead columns={["From", "To", "Category", "Size", "Action", "Status"]} />
          <tbody>
            {files.map((f) => (
              <tr key={f.mediaId}>
                <td class="ellipsis">{f.originalPath}</td>
                <td class="ellipsis">{f.newPath ?? "–"}</td>
                <td>{f.category}</td>
                <td>{formatBytes(f.size)}</td>
                <td>{f.action}</td>
                <td>
                  <StatusBadge status={f.status} />
                  {f.reason ? <span class="hint"> {f.reason}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cursor ? <MoreButton onClick={records.more}>More files</MoreButton> : null}
      {reportHtml !== null ? (
        <div class="report">
          <div class="row-between">
            <h3>Report</h3>
            <button type="button" class="btn btn-ghost" onClick={() => setReportHtml(null)}>
              Close report
            </button>
          </div>
          <iframe title="Organizer report" sandbox="" srcdoc={reportHtml} class="report-frame" />
        </div>
      ) : null}
    </div>
  );
}
