import { useState } from "preact/hooks";
import { call } from "../../api";
import { Dialog, showFormError, TextField, toast } from "../../ui";

export type FolderAction =
  | { kind: "create"; parent: string }
  | { kind: "rename"; path: string }
  | { kind: "delete"; path: string; files: number };

const join = (parent: string, name: string) => `${parent === "/" ? "" : parent}/${name.trim()}`;
const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";
const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** New folder, rename (or move, by editing the path) and delete, each as a small dialog. */
export function FolderDialogs(props: {
  action: FolderAction | null;
  onClose: () => void;
  onDone: (path: string | null) => void;
}) {
  const a = props.action;
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [key, setKey] = useState<FolderAction | null>(null);
  if (a !== key) {
    setKey(a);
    setErrors({});
    setValue(a?.kind === "rename" ? a.path : "");
  }
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!a) return;
    try {
      if (a.kind === "create") {
        const path = join(a.parent, value);
        await call("createFolder", { body: { path } });
        toast(`Folder ${nameOf(path)} created.`, "ok");
        props.onDone(path);
      } else if (a.kind === "rename") {
        const to = value.includes("/") ? value.trim() : join(parentOf(a.path), value);
        const res = await call<{ to: string }>("renameFolder", { body: { from: a.path, to } });
        toast("Folder renamed.", "ok");
        props.onDone(res.to);
      } else {
        const res = await call<{ trashed: number }>("deleteFolder", { query: { path: a.path } });
        toast(
          res.trashed
            ? `Folder deleted; ${res.trashed} file${res.trashed === 1 ? "" : "s"} moved to the trash.`
            : "Folder deleted.",
          "ok",
        );
        props.onDone(null);
      }
    } catch (err) {
      showFormError(err, (f) => setErrors({ name: f.path ?? f.to ?? f.from ?? "" }));
    }
  };
  const title = !a
    ? ""
    : a.kind === "create"
      ? "New folder"
      : a.kind === "rename"
        ? "Rename folder"
        : "Delete folder";
  return (
    <Dialog open={a !== null} title={title} onClose={props.onClose}>
      {a ? (
        <form onSubmit={submit} class="folder-dialog" data-testid="folder-dialog">
          {a.kind === "delete" ? (
            <p>
              Delete <strong>{a.path}</strong>?{" "}
              {a.files
                ? `Its ${a.files} file${a.files === 1 ? "" : "s"} (sub-folders included) move to the trash, where you can restore them.`
                : "It is empty."}
            </p>
          ) : (
            <TextField
              label={
                a.kind === "create"
                  ? `Name (in ${a.parent === "/" ? "All files" : a.parent})`
                  : "New name or path"
              }
              value={value}
              onValue={setValue}
              error={errors.name}
            />
          )}
          <div class="btn-row">
            <button type="submit" class={`btn ${a.kind === "delete" ? "btn-danger" : "btn-primary"}`}>
              {a.kind === "create" ? "Create" : a.kind === "rename" ? "Rename" : "Delete folder"}
            </button>
            <button type="button" class="btn btn-ghost" onClick={props.onClose}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}
