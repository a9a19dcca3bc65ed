import { useState } from "preact/hooks";
import { Dialog } from "../../ui";
import type { Uploads } from "./useUploads";

/** Asks what to do with an upload whose name is taken in its folder. */
export function ConflictDialog({ up }: { up: Uploads }) {
  const [all, setAll] = useState(false);
  const c = up.conflict;
  const where = c ? (c.folder === "/" ? "All files" : c.folder) : "";
  const choose = (mode: "replace" | "rename" | "skip") => {
    up.resolve(mode, all);
    setAll(false);
  };
  return (
    <Dialog open={c !== null} title="A file with this name exists" onClose={() => c && choose("skip")}>
      {c ? (
        <div class="conflict" data-testid="conflict-dialog">
          <p>
            <strong>{c.file.name}</strong> is already in <strong>{where}</strong>.
          </p>
          <div class="btn-row">
            <button type="button" class="btn btn-primary" onClick={() => choose("replace")}>
              Replace
            </button>
            <button type="button" class="btn" onClick={() => choose("rename")}>
              Keep both
            </button>
            <button type="button" class="btn btn-ghost" onClick={() => choose("skip")}>
              Skip
            </button>
          </div>
          <p class="hint">
            Replace moves the existing file to the trash. Keep both saves this one as “name (1)”.
          </p>
          {up.conflictsLeft > 1 ? (
            <label class="check">
              <input
                type="checkbox"
                checked={all}
                onChange={(e) => setAll((e.target as HTMLInputElement).checked)}
              />
              Do this for the other {up.conflictsLeft - 1} conflict{up.conflictsLeft === 2 ? "" : "s"}
            </label>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
