import { useState } from "preact/hooks";
import { call, type DevMail, formatDate, type Page } from "../api";
import { ErrorBox, TextField, useLoad } from "../ui";

/** Links in a mail's plain text, made clickable (text only: the HTML part is never rendered here). */
function Linked({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s]+)/g);
  return (
    <pre class="mail-text">
      {parts.map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

/** Admin → Dev mailbox: what the `log` mail provider stored (dev only, EMAIL_PROVIDER=log). */
export function DevMailbox() {
  const [to, setTo] = useState("");
  const [filter, setFilter] = useState("");
  const mail = useLoad(
    () => call<Page<DevMail>>("adminDevMail", { query: { to: filter || undefined, limit: 50 } }),
    [filter],
  );
  return (
    <section aria-labelledby="mailbox-h">
      <h2 id="mailbox-h">Dev mailbox</h2>
      <p class="muted">
        Mail the app "sent" with the log provider. Only in development (EMAIL_PROVIDER=log).
      </p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(to.trim().toLowerCase());
        }}
      >
        <TextField label="Recipient" type="email" value={to} onValue={setTo} />
        <button type="submit" class="btn">
          Filter
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => mail.reload()}>
          Refresh
        </button>
      </form>
      <ErrorBox error={mail.error} />
      <ul class="mailbox" data-testid="dev-mailbox">
        {(mail.data?.items ?? []).map((m) => (
          <li key={m.id}>
            <details>
              <summary>
                <strong>{m.subject}</strong>{" "}
                <span class="muted">
                  to {m.to} · {formatDate(m.createdAt)}
                </span>
              </summary>
              <Linked text={m.text} />
            </details>
          </li>
        ))}
        {mail.data && !mail.data.items.length ? <li class="muted">No mail yet.</li> : null}
      </ul>
    </section>
  );
}
