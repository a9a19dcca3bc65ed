import { useState } from "preact/hooks";
import { type AuditEntry, call, formatDate, type Page, url } from "../../api";
import { ErrorBox, MoreButton, TableHead, useLoad } from "../../ui";

/** The audit trail with its filters; the CSV link exports what the filters select. */
export function AuditPanel() {
  const [filter, setFilter] = useState({ actor: "", action: "", target: "" });
  const [pages, setPages] = useState<AuditEntry[]>([]);
  const query = { actor: filter.actor, action: filter.action, target: filter.target, limit: 50 };
  const first = useLoad(async () => {
    const page = await call<Page<AuditEntry>>("adminAudit", { query });
    setPages(page.items);
    return page;
  }, [filter.actor, filter.action, filter.target]);
  const [cursor, setCursor] = useState<string | null>(null);
  const next = cursor ?? first.data?.nextCursor ?? null;
  const more = async () => {
    if (!next) return;
    const page = await call<Page<AuditEntry>>("adminAudit", { query: { ...query, cursor: next } });
    setPages((p) => [...p, ...page.items]);
    setCursor(page.nextCursor ?? "");
  };
  const set = (k: keyof typeof filter) => (e: Event) => {
    setCursor(null);
    setFilter((f) => ({ ...f, [k]: (e.target as HTMLInputElement).value.trim() }));
  };
  return (
    <section aria-label="Audit trail">
      <div class="filters">
        <input
          type="search"
          aria-label="Filter by actor (user id)"
          placeholder="Actor id"
          onChange={set("actor")}
        />
        <input
          type="search"
          aria-label="Filter by action"
          placeholder="Action, e.g. auth.sign_in_failed"
          onChange={set("action")}
        />
        <input
          type="search"
          aria-label="Filter by target id"
          placeholder="Target id"
          onChange={set("target")}
        />
        <a class="btn" href={url("adminAudit", {}, { ...query, limit: undefined, format: "csv" })} download>
          Export CSV
        </a>
      </div>
      <ErrorBox error={first.error} />
      <div class="table-scroll">
        <table class="table" aria-busy={first.loading} data-testid="audit-table">
          <TableHead columns={["When", "Action", "Actor", "Subject", "Target", "IP", "Details"]} />
          <tbody>
            {pages.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.createdAt)}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.actorId ?? "system"}</td>
                <td>{e.subjectId ?? "–"}</td>
                <td>{e.targetId ? `${e.targetType} ${e.targetId}` : "–"}</td>
                <td>{e.ip ?? "–"}</td>
                <td class="cell-wrap">{e.detail ? JSON.stringify(e.detail) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next ? <MoreButton onClick={more}>More</MoreButton> : null}
    </section>
  );
}
