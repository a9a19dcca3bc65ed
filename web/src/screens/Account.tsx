import { useState } from "preact/hooks";
import { API_KEY_SCOPES, type ApiKey, call, formatBytes, formatDate, type Session, type Usage } from "../api";
import {
  CheckboxGroup,
  EmptyRow,
  ErrorBox,
  fieldErrors,
  Link,
  ProgressBar,
  ShownOnce,
  showFormError,
  TableHead,
  TextField,
  toast,
  toastError,
  useLoad,
  useSession,
} from "../ui";
import { TwoFactorPanel } from "./TwoFactor";
import { UsagePanel } from "./UsagePanel";
import { Webhooks } from "./Webhooks";

export function AccountScreen() {
  const { me, refresh } = useSession();
  if (!me) return null;
  return (
    <div class="page">
      <h1>Account</h1>
      <section class="panel" aria-labelledby="profile-h">
        <h2 id="profile-h">Profile</h2>
        <dl class="meta">
          <dt>Name</dt>
          <dd>{me.name ?? "–"}</dd>
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Role</dt>
          <dd>{me.role}</dd>
          <dt>Member since</dt>
          <dd>{formatDate(me.createdAt)}</dd>
          <dt>Credits</dt>
          <dd data-testid="credits">
            <strong>{me.credits}</strong>{" "}
            <span class="muted">(one vectorize costs a credit; cached results are free)</span>{" "}
            <Link href="/account/billing">Buy credits · payments</Link>
          </dd>
        </dl>
        <div class="quota">
          <span>
            Storage: {formatBytes(me.quota.usedBytes)} of {formatBytes(me.quota.bytes)} · {me.quota.usedFiles}{" "}
            of {me.quota.files} files
          </span>
          <ProgressBar
            value={(me.quota.usedBytes / Math.max(1, me.quota.bytes)) * 100}
            label="Storage used"
          />
        </div>
      </section>
      <section class="panel" aria-labelledby="usage-h">
        <h2 id="usage-h">Usage</h2>
        <UsagePanel label="Your usage" load={(days) => call<Usage>("myUsage", { query: { days } })} />
      </section>
      <PasswordForm onDone={refresh} />
      <TwoFactorPanel />
      <Sessions />
      <ApiKeys />
      <Webhooks />
    </div>
  );
}

/** A failed password change's errors, per field of the form. */
function passwordErrors(err: unknown): Record<string, string> {
  const f = fieldErrors(err);
  if (f.password) f.newPassword = f.password;
  if (err instanceof Error && "code" in err && err.code === "invalid_credentials")
    f.currentPassword = "The current password is wrong.";
  return f;
}

function PasswordForm({ onDone }: { onDone: () => Promise<void> }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!current) local.currentPassword = "Enter your current password.";
    if ([...next].length < 8) local.newPassword = "Use at least 8 characters.";
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await call("changePassword", { body: { currentPassword: current, newPassword: next } });
      toast("Password changed. Your other sessions were signed out.", "ok");
      setCurrent("");
      setNext("");
      await onDone();
    } catch (err) {
      const f = passwordErrors(err);
      setErrors(f);
      if (!Object.keys(f).length) toastError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="pw-h">
      <h2 id="pw-h">Change password</h2>
      <form onSubmit={submit} noValidate class="form-narrow">
        <TextField
          label="Current password"
          error={errors.currentPassword}
          type="password"
          autocomplete="current-password"
          value={current}
          onValue={setCurrent}
        />
        <TextField
          label="New password"
          error={errors.newPassword}
          hint="At least 8 characters. Changing it signs out your other sessions."
          type="password"
          autocomplete="new-password"
          value={next}
          onValue={setNext}
        />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

function Sessions() {
  const { data, error, reload } = useLoad(() => call<{ items: Session[] }>("sessions"), []);
  const others = (data?.items ?? []).filter((s) => !s.current).length;
  return (
    <section class="panel" aria-labelledby="ses-h">
      <div class="row-between">
        <h2 id="ses-h">Sessions</h2>
        <button
          type="button"
          class="btn"
          disabled={!others}
          onClick={async () => {
            try {
              const { ended } = await call<{ ended: number }>("endOtherSessions");
              toast(`Signed out ${ended} other session${ended === 1 ? "" : "s"}.`, "ok");
              reload();
            } catch (e) {
              toastError(e);
            }
          }}
        >
          Sign out other sessions
        </button>
      </div>
      <ErrorBox error={error} />
      <div class="table-scroll">
        <table class="table">
          <TableHead columns={["Device", "IP", "Started", "Last seen"]} actions />
          <tbody>
            {(data?.items ?? []).map((s) => (
              <tr key={s.id}>
                <td class="ellipsis" title={s.userAgent ?? ""}>
                  {shortAgent(s.userAgent)}{" "}
                  {s.current ? <span class="badge badge-succeeded">this session</span> : null}
                </td>
                <td>{s.ip ?? "–"}</td>
                <td>{formatDate(s.createdAt)}</td>
                <td>{formatDate(s.lastSeenAt)}</td>
                <td>
                  {!s.current ? (
                    <button
                      type="button"
                      class="btn btn-sm"
                      onClick={() => call("endSession", { params: { id: s.id } }).then(reload, toastError)}
                    >
                      Sign out
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// first match wins: Edge and Chrome both say "Chrome", Chrome says "Safari" too
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/Chrom/, "Chrome"],
  [/Firefox/, "Firefox"],
  [/Safari/, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/Mac OS/, "macOS"],
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Linux/, "Linux"],
];
const firstMatch = (ua: string, table: [RegExp, string][]) => table.find(([re]) => re.test(ua))?.[1];

function shortAgent(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = firstMatch(ua, BROWSERS) ?? ua.slice(0, 24);
  const os = firstMatch(ua, SYSTEMS);
  return os ? `${browser} on ${os}` : browser;
}

function ApiKeys() {
  const { data, error, reload } = useLoad(() => call<{ items: ApiKey[] }>("apiKeys"), []);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["media:read", "jobs:read"]);
  const [days, setDays] = useState("90");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<string | null>(null);
  const { me } = useSession();
  const create = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = "Give the key a name, e.g. “CI uploads”.";
    if (!scopes.length) local.scopes = "Pick at least one scope.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const res = await call<{ apiKey: ApiKey; secret: string }>("createApiKey", {
        body: { name: name.trim(), scopes, ...(days ? { expiresInDays: Number(days) } : {}) },
      });
      setSecret(res.secret);
      setName("");
      reload();
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const live = (data?.items ?? []).filter((k) => !k.revokedAt);
  return (
    <section class="panel" aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <p class="muted">
        For scripts and integrations: send the key as <code>Authorization: Bearer …</code>.
      </p>
      <form onSubmit={create} noValidate class="key-form">
        <TextField label="Key name" error={errors.name} value={name} onValue={setName} />
        <CheckboxGroup
          legend="Scopes"
          options={API_KEY_SCOPES.filter((s) => s !== "admin" || me?.role === "admin")}
          selected={scopes}
          onSelected={setScopes}
          error={errors.scopes}
        />
        <TextField
          label="Expires after (days, empty = never)"
          error={errors.expiresInDays}
          type="number"
          min={1}
          max={3650}
          value={days}
          onValue={setDays}
        />
        <button type="submit" class="btn btn-primary">
          Create key
        </button>
      </form>
      {secret ? (
        <ShownOnce
          secret={secret}
          label="New API key"
          message="Copy your new key now — it won't be shown again."
          testId="api-key-secret"
          onDone={() => setSecret(null)}
        />
      ) : null}
      <ErrorBox error={error} />
      <div class="table-scroll">
        <table class="table" data-testid="api-keys">
          <TableHead columns={["Name", "Key", "Scopes", "Created", "Expires", "Last used"]} actions />
          <tbody>
            {live.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td class="mono">…{k.hint}</td>
                <td>{k.scopes.join(", ")}</td>
                <td>{formatDate(k.createdAt)}</td>
                <td>{k.expiresAt ? formatDate(k.expiresAt) : "never"}</td>
                <td>{formatDate(k.lastUsedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="btn btn-sm btn-danger"
                    aria-label={`Revoke ${k.name}`}
                    onClick={() =>
                      confirm(`Revoke “${k.name}”? Scripts using it stop working at once.`) &&
                      call("revokeApiKey", { params: { id: k.id } }).then(() => {
                        toast("Key revoked.", "ok");
                        reload();
                      }, toastError)
                    }
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
            {!live.length ? <EmptyRow columns={7}>No API keys yet.</EmptyRow> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
