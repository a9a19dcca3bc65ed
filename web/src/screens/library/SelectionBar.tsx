import { useState } from "preact/hooks";
import { url } from "../../api";
import { navigate } from "../../ui";
import type { Selection } from "./useSelection";

/** Bulk actions on the selected files: move, tag, vectorize, trash (restore in the trash). */
export function SelectionBar({
  sel,
  trash,
  onShare,
}: {
  sel: Selection;
  trash: boolean;
  onShare: (ids: string[]) => void;
}) {
  const [mode, setMode] = useState<null | "move" | "tag">(null);
  const [value, setValue] = useState("");
  if (!sel.selected.size) return null;
  const run = async (action: string, extra: Record<string, unknown> = {}) => {
    if (await sel.apply(action, extra)) {
      setMode(null);
      setValue("");
    }
  };
  return (
    <section class="selection-bar" aria-label="Selection">
      <strong>{sel.selected.size} selected</strong>
      {trash ? (
        <button type="button" class="btn" onClick={() => run("restore")}>
          Restore
        </button>
      ) : (
        <>
          <button type="button" class="btn" onClick={() => setMode(mode === "move" ? null : "move")}>
            Move…
          </button>
          <button type="button" class="btn" onClick={() => setMode(mode === "tag" ? null : "tag")}>
            Tag…
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => navigate(`/vectorize?batch=${[...sel.selected].join(",")}`)}
          >
            Vectorize
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => navigate(`/storage?tab=export&files=${[...sel.selected].join(",")}`)}
          >
            Export to bucket…
          </button>
          <button type="button" class="btn" onClick={() => onShare([...sel.selected])}>
            Share…
          </button>
          <a class="btn" href={url("zip", {}, { ids: [...sel.selected].join(",") })} download>
            Download zip
          </a>
          <button type="button" class="btn btn-danger" onClick={() => run("trash")}>
            Move to trash
          </button>
        </>
      )}
      <button type="button" class="btn btn-ghost" onClick={sel.clear}>
        Clear selection
      </button>
      {mode ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (mode === "move") run("move", { folder: value.trim() || "/" });
            else
              run("tag", {
                tags: value
                  .split(",")
                  .map((t) => t.trim())
                  .filter(Boolean),
              });
          }}
        >
          <input
            aria-label={mode === "move" ? "Destination folder" : "Tags, comma separated"}
            placeholder={mode === "move" ? "/projects/logos" : "logo, blue"}
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="btn btn-primary">
            {mode === "move" ? "Move" : "Add tags"}
          </button>
        </form>
      ) : null}
    </section>
  );
}
