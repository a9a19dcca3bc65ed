import { useLayoutEffect, useState } from "preact/hooks";
import { ApiError, CONFLICT_POLICIES, call, type OrganizeSettings } from "../../api";
import { ErrorBox, Field, Select, TextField, toast, useLoad } from "../../ui";

const CONFLICT_LABELS: Record<OrganizeSettings["conflict"], string> = {
  "rename-new": "rename the file that arrives (photo (2).png)",
  skip: "skip the file that would collide",
  "keep-both": "keep both under the same name",
};

/** One folder a line (or comma-separated), as the API takes them. */
const folderList = (text: string) =>
  text
    .split(/[\n,]/)
    .map((f) => f.trim())
    .filter(Boolean);

/** The organizer settings: default template, conflict policy, organize new uploads, protected folders. */
export function SettingsPanel() {
  const loaded = useLoad(() => call<{ settings: OrganizeSettings }>("organizeSettings"), []);
  const [template, setTemplate] = useState("");
  const [conflict, setConflict] = useState<OrganizeSettings["conflict"]>("rename-new");
  const [autoOrganize, setAutoOrganize] = useState(false);
  const [protectedText, setProtectedText] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const show = (s: OrganizeSettings) => {
    setTemplate(s.template);
    setConflict(s.conflict);
    setAutoOrganize(s.autoOrganize);
    setProtectedText(s.protectedFolders.join("\n"));
  };
  // Before the first paint of the form: useLayoutEffect, so no keystroke lands in an empty form.
  useLayoutEffect(() => {
    if (loaded.data) show(loaded.data.settings);
  }, [loaded.data]);

  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    setSaving(true);
    try {
      const { settings } = await call<{ settings: OrganizeSettings }>("putOrganizeSettings", {
        body: { template, conflict, autoOrganize, protectedFolders: folderList(protectedText) },
      });
      show(settings);
      toast("Organizer settings saved.", "ok");
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fields());
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="settings-h">
      <h2 id="settings-h">Settings</h2>
      <ErrorBox error={loaded.error ?? error} />
      {/* The form only once the stored settings are in it: typing earlier would be overwritten. */}
      {!loaded.data ? (
        <p class="muted">Loading…</p>
      ) : (
        <form class="org-settings" onSubmit={save} data-testid="organize-settings">
          <TextField
            label="Folder template"
            hint="Where a rule without its own template moves files: {category}, {yyyy}, {mm}, {ext}, {tag}, {taken.yyyy}, {taken.mm}"
            error={errors.template}
            value={template}
            onValue={setTemplate}
          />
          <Select
            label="When a file with the same name is already there"
            value={conflict}
            onValue={setConflict}
            options={CONFLICT_POLICIES.map((c) => ({ value: c, label: CONFLICT_LABELS[c] }))}
          />
          <label class="check">
            <input
              type="checkbox"
              checked={autoOrganize}
              onChange={(e) => setAutoOrganize((e.target as HTMLInputElement).checked)}
            />
            Organize each new upload by your rules
          </label>
          <Field
            label="Protected folders"
            hint="One a line. No plan moves, renames, re-tags or trashes anything in them; their copies are the ones kept."
            error={errors.protectedFolders}
          >
            {(id, describedBy) => (
              <textarea
                id={id}
                aria-describedby={describedBy}
                rows={3}
                value={protectedText}
                onInput={(e) => setProtectedText((e.target as HTMLTextAreaElement).value)}
              />
            )}
          </Field>
          <button type="submit" class="btn btn-primary" disabled={saving}>
            Save settings
          </button>
        </form>
      )}
    </section>
  );
}
