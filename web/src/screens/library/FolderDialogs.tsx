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

const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

const TITLES: Record<FolderAction["kind"], string> = {
  create: "New folder",
  rename: "Rename folder",
  delete: "Delete folder",
};
const SUBMITS: Record<FolderAction["kind"], string> = {
  create: "Create",
  rename: "Rename",
  delete: "Delete folder",
};

/** Runs the action with the dialog's value and says so: the folder to show next (null: the root). */
async function perform(a: FolderAction, value: string): Promise<string | null> {
  switch (a.kind) {
    case "create": {
      const path = join(a.parent, value);
      await call("createFolder", { body: { path } });
      toast(`Folder ${nameOf(path)} created.`, "ok");
      return path;
    }
    case "rename": {
      // A value with a slash is a whole new path (a move); without, a new name in the same parent.
      const to = value.includes("/") ? value.trim() : join(parentOf(a.path), value);
      const res = await call<{ to: string }>("renameFolder", { body: { from: a.path, to } });
      toast("Folder renamed.", "ok");
      return res.to;
    }
    case "delete": {
      const res = await call<{ trashed: number }>("deleteFolder", { query: { path: a.path } });
      toast(
        res.trashed ? `Folder deleted; ${files(res.trashed)} moved to the trash.` : "Folder deleted.",
        "ok",
      );
      return null;
    }
  }
}

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
      props.onDone(await perform(a, value));
    } catch (err) {
      showFormError(err, (f) => setErrors({ name: f.path ?? f.to ?? f.from ?? "" }));
    }
  };
  return (
    <Dialog open={a !== null} title={a ? TITLES[a.kind] : ""} onClose={props.onClose}>
      {a ? (
        <form onSubmit={submit} class="folder-dialog" data-testid="folder-dialog">
          <FolderFields action={a} value={value} onValue={setValue} error={errors.name} />
          <div class="btn-row">
            <button type="submit" class={`btn ${a.kind === "delete" ? "btn-danger" : "btn-primary"}`}>
              {SUBMITS[a.kind]}
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

/** What the dialog asks: a delete's consequences, or the new folder's name or the renamed one's path. */
function FolderFields(props: {
  action: FolderAction;
  value: string;
  onValue: (v: string) => void;
  error: string | undefined;
}) {
  const a = props.action;
  if (a.kind === "delete")
    return (
      <p>
        Delete <strong>{a.path}</strong>?{" "}
        {a.files
          ? `Its ${files(a.files)} (sub-folders included) move to the trash, where you can restore them.`
          : "It is empty."}
      </p>
    );
  const label =
    a.kind === "create" ? `Name (in ${a.parent === "/" ? "All files" : a.parent})` : "New name or path";
  return <TextField label={label} value={props.value} onValue={props.onValue} error={props.error} />;
}
