import { useState } from "preact/hooks";
import {
  call,
  formatDate,
  type Page,
  WEBHOOK_EVENTS,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
} from "../api";
import {
  CheckboxGroup,
  EmptyRow,
  ErrorBox,
  ShownOnce,
  showFormError,
  TableHead,
  TextField,
  toast,
  toastError,
  useLoad,
} from "../ui";

/**
 * Webhook endpoints (Standard Webhooks): register one (the signing secret is shown once), turn it
 * on and off, and read its delivery log — status, response code, duration — with a resend button.
 */
export function Webhooks() {
  const { data, error, reload } = useLoad(() => call<Page<Webhook>>("webhooks"), []);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["job.succeeded", "job.failed"]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!url.trim()) local.url = "The https URL your server receives webhooks on.";
    if (!events.length) local.events = "Pick at least one event.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const res = await call<{ webhook: Webhook; secret: string }>("createWebhook", {
        body: { url: url.trim(), events },
      });
      setSecret(res.secret);
      setUrl("");
      reload();
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const items = data?.items ?? [];
  return (
    <section class="panel" aria-labelledby="hooks-h">
      <h2 id="hooks-h">Webhooks</h2>
      <p class="muted">
        Signed per Standard Webhooks (<code>webhook-id</code>, <code>webhook-timestamp</code>,{" "}
        <code>webhook-signature</code>); failed deliveries are retried for about a day.
      </p>
      <form onSubmit={create} noValidate class="key-form">
        <TextField label="Endpoint URL" error={errors.url} value={url} onValue={setUrl} />
        <CheckboxGroup
          legend="Events"
          options={WEBHOOK_EVENTS}
          selected={events}
          onSelected={setEvents}
          error={errors.events}
        />
        <button type="submit" class="btn btn-primary">
          Add endpoint
        </button>
      </form>
      {secret ? (
        <ShownOnce
          secret={secret}
          label="Signing secret"
          message="Copy the signing secret now — it won't be shown again."
          testId="webhook-secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      <ErrorBox error={error} />
      <div class="table-scroll">
        <table class="table" data-testid="webhooks">
          <TableHead columns={["URL", "Events", "Status", "Created"]} actions />
          <tbody>
            {items.map((w) => (
              <tr key={w.id}>
                <td class="ellipsis" title={w.url}>
                  {w.url}
                </td>
                <td>{w.events.join(", ")}</td>
                <td title={w.disabledReason ?? ""}>
                  <span class={`badge badge-${w.status === "enabled" ? "succeeded" : "failed"}`}>
                    {w.status}
                  </span>
                </td>
                <td>{formatDate(w.createdAt)}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="btn btn-sm"
                    onClick={() => setOpen(open === w.id ? null : w.id)}
                  >
                    {open === w.id ? "Hide log" : "Deliveries"}
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm"
                    onClick={() =>
                      call("updateWebhook", {
                        params: { id: w.id },
                        body: { enabled: w.status !== "enabled" },
                      }).then(reload, toastError)
                    }
                  >
                    {w.status === "enabled" ? "Disable" : "Enable"}
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm btn-danger"
                    aria-label={`Delete ${w.url}`}
                    onClick={() =>
                      confirm(`Delete the endpoint ${w.url} and its delivery log?`) &&
                      call("deleteWebhook", { params: { id: w.id } }).then(reload, toastError)
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {!items.length ? <EmptyRow columns={5}>No webhook endpoints yet.</EmptyRow> : null}
          </tbody>
        </table>
      </div>
      {open ? <Deliveries webhookId={open} /> : null}
    </section>
  );
}

function Deliveries({ webhookId }: { webhookId: string }) {
  const { data, error, reload } = useLoad(
    () => call<Page<WebhookDelivery>>("webhookDeliveries", { params: { id: webhookId } }),
    [webhookId],
  );
  const resend = (d: WebhookDelivery) =>
    call("resendDelivery", { params: { id: webhookId, deliveryId: d.id } }).then(() => {
      toast("Sent again.", "ok");
      reload();
    }, toastError);
  const items = data?.items ?? [];
  return (
    <div class="table-scroll">
      <ErrorBox error={error} />
      <table class="table" data-testid="webhook-deliveries" aria-label="Delivery log">
        <TableHead columns={["Event", "Status", "Attempts", "Response", "Duration", "Created"]} actions />
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td>{d.eventType}</td>
              <td title={d.lastError ?? ""}>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.responseStatus ?? "–"}</td>
              <td>{d.durationMs === null ? "–" : `${d.durationMs} ms`}</td>
              <td>{formatDate(d.createdAt)}</td>
              <td>
                {d.status === "succeeded" || d.status === "failed" ? (
                  <button type="button" class="btn btn-sm" onClick={() => resend(d)}>
                    Resend
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
          {!items.length ? <EmptyRow columns={7}>Nothing delivered yet.</EmptyRow> : null}
        </tbody>
      </table>
    </div>
  );
}
