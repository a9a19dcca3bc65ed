import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import {
  type AdminUser,
  call,
  formatBytes,
  formatDate,
  type Health,
  JOB_STATUSES,
  type MediaStats,
  type Page,
  type Uptime,
  type Usage,
} from "../api";
import {
  BarChart,
  ErrorBox,
  Stat,
  StatusBadge,
  TableHead,
  Tabs,
  toast,
  toastError,
  useLoad,
  useSession,
} from "../ui";
import { AdminPayments, UserCreditsAndQuota } from "./AdminBilling";
import { AlertsPanel } from "./admin/AlertsPanel";
import { AnnouncementsPanel } from "./admin/AnnouncementsPanel";
import { AuditPanel } from "./admin/AuditPanel";
import { JobExplorer } from "./admin/JobExplorer";
import { MetricsPanel } from "./admin/MetricsPanel";
import { DevMailbox } from "./DevMailbox";
import { UsagePanel } from "./UsagePanel";

const TABS = {
  users: "Users",
  jobs: "All jobs",
  payments: "Payments",
  activity: "Activity",
  health: "Health",
  metrics: "Metrics",
  audit: "Audit",
  announcements: "Announcements",
  alerts: "Alerts",
  mail: "Dev mailbox",
} as const;

/** The charts are loaded on demand: they are not part of the first screen's JavaScript. */
function Activity() {
  const mod = useLoad(() => import("./AdminStats"), []);
  if (mod.data) return <mod.data.AdminActivity />;
  return (
    <section aria-label="Activity" aria-busy={mod.loading}>
      <ErrorBox error={mod.error} />
      <p class="muted">{mod.error ? "" : "Loading charts…"}</p>
    </section>
  );
}

/** What each tab shows (function declarations are hoisted: panels defined further down may be named). */
const PANELS: Record<keyof typeof TABS, ComponentType> = {
  users: Users,
  jobs: AdminJobs,
  payments: AdminPayments,
  activity: Activity,
  health: HealthPanel,
  metrics: MetricsPanel,
  audit: AuditPanel,
  announcements: AnnouncementsPanel,
  alerts: AlertsPanel,
  mail: DevMailbox,
};

export function AdminScreen() {
  const [tab, setTab] = useState<keyof typeof TABS>("users");
  const Panel = PANELS[tab];
  return (
    <div class="page page-wide">
      <h1>Admin</h1>
      <Tabs label="Admin sections" tabs={TABS} current={tab} onTab={setTab} />
      <div role="tabpanel">
        <Panel />
      </div>
    </div>
  );
}

function Users() {
  const { me } = useSession();
  const [q, setQ] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [debounced, setDebounced] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);
  const { data, error, reload, loading } = useLoad(
    () => call<Page<AdminUser>>("adminUsers", { query: { q: debounced || undefined, limit: 100 } }),
    [debounced],
  );
  const update = async (u: AdminUser, body: { role?: string; disabled?: boolean }) => {
    try {
      await call("adminUpdateUser", { params: { id: u.id }, body });
      toast("User updated.", "ok");
      reload();
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <section aria-label="Users">
      <div class="filters">
        <input
          type="search"
          aria-label="Search users by email"
          placeholder="Search by email"
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
      </div>
      <ErrorBox error={error} />
      <div class="table-scroll">
        <table class="table" aria-busy={loading} data-testid="admin-users">
          <TableHead columns={["Email", "Name", "Role", "Storage", "Joined", "Status"]} actions />
          <tbody>
            {(data?.items ?? []).flatMap((u) => [
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name ?? "–"}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={u.id === me?.id}
                    onChange={(e) => update(u, { role: (e.target as HTMLSelectElement).value })}
                  >
                    <option value="user">user</option>
                    <option value="admin">admin</option>
                  </select>
                </td>
                <td>
                  {formatBytes(u.usedBytes)} · {u.usedFiles} files
                </td>
                <td>{formatDate(u.createdAt)}</td>
                <td>{u.disabled ? <StatusBadge status="disabled" /> : <StatusBadge status="active" />}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="btn btn-sm"
                    disabled={u.id === me?.id}
                    onClick={() => update(u, { disabled: !u.disabled })}
                  >
                    {u.disabled ? "Enable" : "Disable"}
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm"
                    onClick={() =>
                      call<{ ended: number }>("adminEndUserSessions", { params: { id: u.id } }).then(
                        (r) => toast(`Ended ${r.ended} session${r.ended === 1 ? "" : "s"}.`, "ok"),
                        toastError,
                      )
                    }
                  >
                    End sessions
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm"
                    aria-expanded={open === u.id}
                    onClick={() => setOpen(open === u.id ? null : u.id)}
                  >
                    Credits & quota
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm"
                    aria-expanded={open === `${u.id}-usage`}
                    onClick={() => setOpen(open === `${u.id}-usage` ? null : `${u.id}-usage`)}
                  >
                    Usage
                  </button>
                </td>
              </tr>,
              open === u.id ? (
                <tr key={`${u.id}-billing`}>
                  <td colSpan={7}>
                    <UserCreditsAndQuota user={u} />
                  </td>
                </tr>
              ) : null,
              open === `${u.id}-usage` ? (
                <tr key={`${u.id}-usage`}>
                  <td colSpan={7}>
                    <UsagePanel
                      label={`Usage of ${u.email}`}
                      load={(days) =>
                        call<Usage>("adminUserUsage", { params: { id: u.id }, query: { days } })
                      }
                    />
                  </td>
                </tr>
              ) : null,
            ])}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface JobStats {
  byStatus: { type: string; status: string; count: number }[];
  deadLettered: number;
}

function AdminJobs() {
  const stats = useLoad(() => call<JobStats>("adminJobStats"), []);
  const perStatus = JOB_STATUSES.map((s) => ({
    status: s,
    count: (stats.data?.byStatus ?? []).filter((r) => r.status === s).reduce((a, r) => a + r.count, 0),
  }));
  return (
    <section aria-label="All jobs">
      <div class="stat-row">
        <Stat testId="dead-letter" value={stats.data?.deadLettered ?? "–"} label="dead-lettered" />
        <BarChart
          label="Jobs by status"
          bars={perStatus.map((p) => ({ key: p.status, label: p.status, value: p.count, tone: p.status }))}
        />
      </div>
      <ErrorBox error={stats.error} />
      <JobExplorer />
    </section>
  );
}

function HealthPanel() {
  const health = useLoad(async () => {
    const res = await fetch("/api/v1/health");
    return (await res.json()) as Health;
  }, []);
  const storage = useLoad(() => call<MediaStats>("mediaStats"), []);
  const uptime = useLoad(() => call<Uptime>("adminUptime"), []);
  const pct = (u: { uptime: number | null; probes: number }) =>
    u.uptime === null ? "no probes yet" : `${(u.uptime * 100).toFixed(2)} % of ${u.probes} probes`;
  return (
    <section aria-label="Health">
      <div class="row-between">
        <h2>
          Platform:{" "}
          {health.data ? <StatusBadge status={health.data.status === "ok" ? "succeeded" : "failed"} /> : "…"}
        </h2>
        <button type="button" class="btn" onClick={health.reload}>
          Check again
        </button>
      </div>
      <ul class="health" data-testid="health">
        {(["d1", "r2", "kv", "queue"] as const).map((k) => (
          <li key={k} class={`health-item health-${health.data?.checks[k] ?? "unknown"}`}>
            <span class="health-dot" aria-hidden="true" />
            <strong>{{ d1: "D1 database", r2: "R2 storage", kv: "KV cache", queue: "Queues" }[k]}</strong>
            <span>{health.data?.checks[k] ?? "…"}</span>
          </li>
        ))}
      </ul>
      <ErrorBox error={health.error} />
      {uptime.data ? (
        <div data-testid="uptime">
          <p>
            Uptime, last 24 hours: <strong>{pct(uptime.data.day)}</strong>; last 7 days:{" "}
            <strong>{pct(uptime.data.week)}</strong> (a probe a minute).
          </p>
          {uptime.data.lastFailures.length ? (
            <ul>
              {uptime.data.lastFailures.map((f) => (
                <li key={f.at}>
                  {formatDate(f.at)}:{" "}
                  {Object.entries(f.checks)
                    .filter(([, v]) => v !== "ok")
                    .map(([k]) => k)
                    .join(", ")}{" "}
                  failing
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No failed probe recorded.</p>
          )}
        </div>
      ) : null}
      <ErrorBox error={uptime.error} />
      {storage.data ? (
        <p class="muted">
          Your own library: {storage.data.files} files, {formatBytes(storage.data.bytes)}; trash{" "}
          {storage.data.trash.files} files.
        </p>
      ) : null}
    </section>
  );
}
