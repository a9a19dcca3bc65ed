import { useState } from "preact/hooks";
import { type Announcement, call, formatDate, type Page } from "../../api";
import {
  ErrorBox,
  Field,
  RowActions,
  Select,
  showFormError,
  TableHead,
  TextField,
  toast,
  toastError,
  useLoad,
} from "../../ui";

/** Admin CRUD of announcements: write one, see them all, end or delete one. */
export function AnnouncementsPanel() {
  const list = useLoad(() => call<Page<Announcement>>("adminAnnouncements", { query: { limit: 100 } }), []);
  const [form, setForm] = useState({
    title: "",
    body: "",
    severity: "info",
    audience: "all",
    format: "text",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await call("createAnnouncement", { body: form });
      setForm({ ...form, title: "", body: "" });
      setErrors({});
      toast("Announced.", "ok");
      list.reload();
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const end = (a: Announcement) =>
    call("updateAnnouncement", { params: { id: a.id }, body: { endsAt: new Date().toISOString() } }).then(
      list.reload,
      toastError,
    );
  const remove = (a: Announcement) =>
    call("deleteAnnouncement", { params: { id: a.id } }).then(list.reload, toastError);
  const pick = (k: "severity" | "audience" | "format", label: string, options: string[]) => (
    <Select label={label} value={form[k]} options={options} onValue={(v) => setForm({ ...form, [k]: v })} />
  );
  return (
    <section aria-label="Announcements">
      <form class="card form" onSubmit={submit}>
        <h2>New announcement</h2>
        <TextField
          label="Title"
          value={form.title}
          error={errors.title}
          onValue={(v) => setForm({ ...form, title: v })}
        />
        <Field label="Text (plain, or Markdown: **bold**, *italic*, [link](https://…))" error={errors.body}>
          {(id, describedBy) => (
            <textarea
              id={id}
              rows={3}
              aria-describedby={describedBy}
              value={form.body}
              onInput={(e) => setForm({ ...form, body: (e.target as HTMLTextAreaElement).value })}
            />
          )}
        </Field>
        <div class="row">
          {pick("severity", "Severity", ["info", "warning", "critical"])}
          {pick("audience", "Audience", ["all", "admins"])}
          {pick("format", "Format", ["text", "markdown"])}
        </div>
        <button type="submit" class="btn btn-primary">
          Announce
        </button>
      </form>
      <ErrorBox error={list.error} />
      <div class="table-scroll">
        <table class="table" data-testid="announcements-table">
          <TableHead columns={["Title", "Severity", "Audience", "Starts", "Ends"]} actions />
          <tbody>
            {(list.data?.items ?? []).map((a) => (
              <tr key={a.id}>
                <td>{a.title}</td>
                <td>{a.severity}</td>
                <td>{a.audience}</td>
                <td>{formatDate(a.startsAt)}</td>
                <td>{a.endsAt ? formatDate(a.endsAt) : "open"}</td>
                <RowActions
                  name={a.title}
                  actions={[
                    { label: "End now", onClick: () => end(a) },
                    { label: "Delete", onClick: () => remove(a) },
                  ]}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
