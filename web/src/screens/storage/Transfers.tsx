import { useEffect, useRef, useState } from "preact/hooks";
import {
  call,
  type FolderNode,
  formatBytes,
  isTerminal,
  type Job,
  type JobWatch,
  type Progress,
  type StorageConnection,
  type TransferResult,
  watchJob,
} from "../../api";
import {
  CancelJobButton,
  ErrorBox,
  JobProgress,
  Link,
  progressText,
  Select,
  Stat,
  StatusBadge,
  showFormError,
  TextField,
  toast,
  useLoad,
} from "../../ui";

/** Where a connection's objects are: `bucket/prefix…` as people read it. */
export const bucketPath = (c: StorageConnection, prefix = "") => `${c.bucket}/${c.prefix}${prefix}`;

/** An import or export job, followed live (WebSocket, polling as the fallback) until it ends. */
export function useTransfer() {
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const watch = useRef<JobWatch | null>(null);
  useEffect(() => () => watch.current?.stop(), []);

  const follow = (j: Job) => {
    watch.current?.stop();
    setJob(j);
    setProgress(j.progress);
    if (isTerminal(j.status)) return;
    watch.current = watchJob(j.id, (u) => {
      if (u.progress) setProgress(u.progress);
      if (u.job) {
        setJob(u.job);
        if (u.job.status === "failed") toast(u.job.error?.message ?? "The transfer failed.", "error");
      }
    });
  };
  return { job, progress, follow };
}
export type Transfer = ReturnType<typeof useTransfer>;

/** "/a" and its subfolders, depth first: the folders a form may pick. */
export function folderPaths(node: FolderNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  out.push(node.path);
  for (const c of node.children) folderPaths(c, out);
  return out;
}

/** Imports the objects under a prefix into a library folder (a job; what is already there is skipped). */
export function ImportForm(props: { connection: StorageConnection; busy: boolean; onJob: (j: Job) => void }) {
  const [prefix, setPrefix] = useState("");
  const [folder, setFolder] = useState("/");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      const { job } = await call<{ job: Job }>("importFromStorage", {
        params: { id: props.connection.id },
        body: { prefix: prefix.trim(), folder: folder.trim() || "/" },
      });
      toast("Import started.", "ok");
      props.onJob(job);
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  return (
    <form class="storage-form" onSubmit={submit} noValidate aria-label="Import from the bucket">
      <TextField
        label="Prefix in the bucket"
        placeholder="2024/"
        hint={`Under ${bucketPath(props.connection)}; empty: all of it.`}
        error={errors.prefix}
        value={prefix}
        onValue={setPrefix}
      />
      <TextField
        label="Into library folder"
        placeholder="/imported"
        hint="Subfolders follow the keys' paths. Files already there with the same bytes are skipped."
        error={errors.folder}
        value={folder}
        onValue={setFolder}
      />
      <div class="btn-row storage-form-actions">
        <button type="submit" class="btn btn-primary" disabled={props.busy}>
          Import
        </button>
      </div>
    </form>
  );
}

/** Exports a library folder, or the files selected in the library, under a prefix (a job). */
export function ExportForm(props: {
  connection: StorageConnection;
  selection: string[];
  onClearSelection: () => void;
  busy: boolean;
  onJob: (j: Job) => void;
}) {
  // Loaded as the form opens, so a folder an import just made is there.
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), []);
  const [folder, setFolder] = useState("/");
  const [prefix, setPrefix] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const picked = props.selection.length;
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      const { job } = await call<{ job: Job }>("exportToStorage", {
        params: { id: props.connection.id },
        body: { prefix: prefix.trim(), folder, ...(picked ? { mediaIds: props.selection } : {}) },
      });
      toast("Export started.", "ok");
      props.onJob(job);
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  return (
    <form class="storage-form" onSubmit={submit} noValidate aria-label="Export to the bucket">
      {picked ? (
        <p class="storage-selection" data-testid="export-selection">
          {picked} selected file{picked === 1 ? "" : "s"} from your library.{" "}
          <button type="button" class="btn btn-sm" onClick={props.onClearSelection}>
            Export a folder instead
          </button>
        </p>
      ) : (
        <Select
          label="Library folder"
          value={folder}
          onValue={setFolder}
          options={folderPaths(tree.data?.root).map((p) => ({
            value: p,
            label: p === "/" ? "All files (/)" : p,
          }))}
        />
      )}
      <TextField
        label="To prefix in the bucket"
        placeholder="exports/"
        hint={`Under ${bucketPath(props.connection)}; an object with the same bytes is not written again.`}
        error={errors.prefix}
        value={prefix}
        onValue={setPrefix}
      />
      <div class="btn-row storage-form-actions">
        <button type="submit" class="btn btn-primary" disabled={props.busy}>
          Export
        </button>
      </div>
    </form>
  );
}

/** A transfer job: live progress, then what it copied, skipped and could not copy (and why). */
export function TransferPanel({ transfer }: { transfer: Transfer }) {
  const { job, progress } = transfer;
  if (!job) return null;
  const importing = job.type === "storage-import";
  const result = job.status === "succeeded" ? (job.result as TransferResult | null) : null;
  return (
    <section class="panel" aria-labelledby="transfer-h" data-testid="transfer-job">
      <div class="row-between">
        <h3 id="transfer-h">
          {importing ? "Import" : "Export"} <StatusBadge status={job.status} />
        </h3>
        {isTerminal(job.status) ? null : <CancelJobButton jobId={job.id} />}
      </div>
      <JobProgress
        status={job.status}
        percent={progress?.percent ?? 0}
        label={importing ? "Import progress" : "Export progress"}
      />
      <p class="hint" data-testid="transfer-progress">
        {progressText(progress)}
      </p>
      <ErrorBox error={job.error?.message} />
      {result ? (
        <>
          <div class="stat-row" data-testid="transfer-result">
            <Stat value={result.copied} label={importing ? "imported" : "written"} />
            <Stat value={result.skipped} label="already there" />
            <Stat value={result.failed} label="failed" />
            <Stat value={formatBytes(result.bytes)} label="copied" />
          </div>
          {result.errors.length ? (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable)
            <section class="table-scroll" tabIndex={0} aria-label="What could not be copied">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {result.errors.map((e) => (
                    <tr key={e.key}>
                      <td class="ellipsis" title={e.key}>
                        {e.key}
                      </td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          {importing ? <Link href="/library">Open your library</Link> : null}
        </>
      ) : null}
    </section>
  );
}
