import { useState } from "preact/hooks";
import { type AlertEvent, type AlertRule, call, formatDate, type Page } from "../../api";
import {
  ErrorBox,
  RowActions,
  Select,
  showFormError,
  TableHead,
  TextField,
  toast,
  toastError,
  useLoad,
} from "../../ui";

const SIGNALS = [
  { value: "error_rate", label: "Error rate (% 5xx)" },
  { value: "p95_ms", label: "p95 latency (ms)" },
  { value: "dead_letters", label: "Dead letters" },
  { value: "queue_wait_s", label: "Queue wait p95 (s)" },
  { value: "health_failing", label: "Failed health probes" },
] as const;
type Signal = (typeof SIGNALS)[number]["value"];

const figure = (n: number | null) => (n === null ? "–" : String(Math.round(n * 100) / 100));

/** Alert rules (add, switch off, delete) with their state, and the history of firings and resolutions. */
export function AlertsPanel() {
  const rules = useLoad(() => call<{ items: AlertRule[] }>("adminAlertRules"), []);
  const events = useLoad(() => call<Page<AlertEvent>>("adminAlertEvents", { query: { limit: 50 } }), []);
  const [form, setForm] = useState({
    name: "",
    signal: "error_rate" as Signal,
    threshold: "5",
    windowMinutes: "5",
    email: "",
  });
  const [webhook, setWebhook] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await call("createAlertRule", {
        body: {
          name: form.name,
          signal: form.signal,
          threshold: Number(form.threshold),
          windowMinutes: Number(form.windowMinutes),
          email: form.email.trim() || null,
          webhook,
        },
      });
      setForm({ ...form, name: "" });
      setErrors({});
      toast("Alert rule added.", "ok");
      rules.reload();
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const toggle = (r: AlertRule) =>
    call("updateAlertRule", { params: { id: r.id }, body: { enabled: !r.enabled } }).then(
      rules.reload,
      toastError,
    );
  const remove = (r: AlertRule) =>
    call("deleteAlertRule", { params: { id: r.id } }).then(rules.reload, toastError);
  const text = (k: "name" | "threshold" | "windowMinutes" | "email", label: string, type = "text") => (
    <TextField
      label={label}
      type={type}
      value={form[k]}
      error={errors[k]}
      onValue={(v) => setForm({ ...form, [k]: v })}
    />
  );
  return (
    <section aria-label="Alerts">
      <form class="card form" onSubmit={submit}>
        <h2>New alert rule</h2>
        {text("name", "Name")}
        <div class="row">
          <Select
            label="Signal"
            value={form.signal}
            options={SIGNALS}
            onValue={(signal) => setForm({ ...form, signal })}
          />
          {text("threshold", "Fires above", "number")}
          {text("windowMinutes", "Over minutes", "number")}
        </div>
        {text("email", "Mail to (optional)", "email")}
        <label class="check">
          <input
            type="checkbox"
            checked={webhook}
            onChange={(e) => setWebhook((e.target as HTMLInputElement).checked)}
          />
          Send alert.fired / alert.resolved to my webhooks
        </label>
        <button type="submit" class="btn btn-primary">
          Add rule
        </button>
      </form>
      <ErrorBox error={rules.error} />
      <div class="table-scroll">
        <table class="table" data-testid="alert-rules">
          <TableHead
            columns={["Name", "Signal", "Fires above", "Window", "State", "Last value", "Notices"]}
            actions
          />
          <tbody>
            {(rules.data?.items ?? []).map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{SIGNALS.find((s) => s.value === r.signal)?.label ?? r.signal}</td>
                <td>{figure(r.threshold)}</td>
                <td>{r.windowMinutes} min</td>
                <td>{r.enabled ? r.state : "off"}</td>
                <td>{figure(r.lastValue)}</td>
                <td>{[r.email, r.webhook ? "webhook" : null].filter(Boolean).join(" · ") || "–"}</td>
                <RowActions
                  name={r.name}
                  actions={[
                    { label: r.enabled ? "Switch off" : "Switch on", onClick: () => toggle(r) },
                    { label: "Delete", onClick: () => remove(r) },
                  ]}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>History</h2>
      <ErrorBox error={events.error} />
      <div class="table-scroll">
        <table class="table" data-testid="alert-events">
          <TableHead columns={["When", "Rule", "Event", "Value", "Threshold"]} />
          <tbody>
            {(events.data?.items ?? []).map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.at)}</td>
                <td>{e.ruleName}</td>
                <td>{e.kind}</td>
                <td>{figure(e.value)}</td>
                <td>{figure(e.threshold)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
