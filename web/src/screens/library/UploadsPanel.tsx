import { formatBytes } from "../../api";
import { ProgressBar } from "../../ui";
import type { Uploads } from "./useUploads";

export function UploadsPanel({ up }: { up: Uploads }) {
  if (!up.uploads.length) return null;
  return (
    <section class="uploads" aria-label="Uploads" data-testid="uploads">
      <div class="uploads-head">
        <strong>
          {up.active
            ? `Uploading ${up.active} file${up.active === 1 ? "" : "s"}`
            : up.failed
              ? `${up.failed} upload${up.failed === 1 ? "" : "s"} failed`
              : "Uploads complete"}
        </strong>
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
            <ProgressBar
              value={
                u.status === "done" || u.status === "skipped" ? 100 : u.size ? (u.loaded / u.size) * 100 : 0
              }
              label={`Upload of ${u.name}`}
              status={u.status}
            />
            {u.status === "failed" ? (
              <span class="upload-error" role="alert">
                {u.error}
              </span>
            ) : u.status === "uploading" ? (
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
            ) : (
              <span class="muted">
                {u.note ??
                  (u.status === "done"
                    ? "Done"
                    : u.status === "skipped"
                      ? "Skipped"
                      : u.status === "conflict"
                        ? "Name taken"
                        : "Waiting")}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
