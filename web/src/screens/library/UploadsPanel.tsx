import { formatBytes } from "../../api";
import { ProgressBar } from "../../ui";
import type { UploadItem, Uploads } from "./useUploads";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function headline(up: Uploads): string {
  if (up.active) return `Uploading ${plural(up.active, "file")}`;
  if (up.failed) return `${plural(up.failed, "upload")} failed`;
  return "Uploads complete";
}

/** What a row without actions says when the upload gave no note of its own. */
const STATUS_TEXT: Record<Exclude<UploadItem["status"], "failed" | "uploading">, string> = {
  done: "Done",
  skipped: "Skipped",
  conflict: "Name taken",
  queued: "Waiting",
};

function percentDone(u: UploadItem): number {
  if (u.status === "done" || u.status === "skipped") return 100;
  return u.size ? (u.loaded / u.size) * 100 : 0;
}

export function UploadsPanel({ up }: { up: Uploads }) {
  if (!up.uploads.length) return null;
  return (
    <section class="uploads" aria-label="Uploads" data-testid="uploads">
      <div class="uploads-head">
        <strong>{headline(up)}</strong>
        <ProgressBar value={up.total ? (up.loaded / up.total) * 100 : 100} label="Overall upload progress" />
        {!up.active ? (
          <button type="button" class="btn btn-ghost btn-sm" onClick={up.clear}>
            Clear
          </button>
        ) : null}
      </div>
      <ul class="upload-list">
        {up.uploads.map((u) => (
          <li key={u.key} class={`upload-row upload-${u.status}`}>
            <span class="upload-name" title={u.name}>
              {u.name}
            </span>
            <span class="muted">{formatBytes(u.size)}</span>
            <ProgressBar value={percentDone(u)} label={`Upload of ${u.name}`} status={u.status} />
            <UploadState u={u} up={up} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A row's end: the error, the controls of a running upload, or what became of it. */
function UploadState({ u, up }: { u: UploadItem; up: Uploads }) {
  if (u.status === "failed")
    return (
      <span class="upload-error" role="alert">
        {u.error}
      </span>
    );
  if (u.status === "uploading")
    return (
      <span class="upload-actions">
        {u.handle?.pause ? (
          <button type="button" class="btn btn-ghost btn-sm" onClick={() => up.togglePause(u)}>
            {u.paused ? "Resume" : "Pause"}
          </button>
        ) : null}
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => u.handle?.abort()}>
          Cancel
        </button>
      </span>
    );
  return <span class="muted">{u.note ?? STATUS_TEXT[u.status]}</span>;
}
