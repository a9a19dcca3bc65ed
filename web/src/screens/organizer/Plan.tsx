import { useState } from "preact/hooks";
import {
  call,
  type DuplicateGroup,
  type FileStatus,
  formatBytes,
  getText,
  type Job,
  MATCH_KINDS,
  type MatchKind,
  type OrganizeFile,
  type Page,
  url,
} from "../../api";
import { usePaged } from "../../hooks/usePaged";
import {
  BarChart,
  ErrorBox,
  MoreButton,
  Select,
  StatusBadge,
  TableHead,
  toastError,
  useLoad,
} from "../../ui";

/** A plan's results: bytes per category, duplicate groups of each kind it found, the file records. */

const FILE_STATUSES = [
  "planned",
  "unchanged",
  "skipped",
  "moved",
  "copied",
  "tagged",
  "trashed",
  "stacked",
  "rolled-back",
  "rollback-skipped",
] as const satisfies FileStatus[];

export const MATCH_LABELS: Record<MatchKind, string> = {
  bytes: "identical bytes",
  pixels: "the same picture",
  similar: "look-alikes",
};

type Totals = { category: string; files: number; bytes: number }[];

/** The plan's summary (per-category counts and bytes) from the JSON report, read once per plan state. */
async function loadSummary(jobId: string): Promise<{ byCategory: Totals; state?: string } | null> {
  try {
    const text = await getText("jobReport", { id: jobId }, { format: "json" });
    const json = JSON.parse(text) as { summary?: { byCategory?: Totals; state?: string } };
    return { byCategory: json.summary?.byCategory ?? [], state: json.summary?.state };
  } catch {
    return null;
  }
}

type Duplicates = {
  match?: MatchKind;
  groups: DuplicateGroup[];
  totals?: { groups: number; reclaimableBytes: number };
  nextCursor?: string | null;
};

/** How many duplicate groups and bytes to reclaim the page shows, and whether there are more than listed. */
function duplicateCounts(d: Duplicates | null | undefined, planMatch: MatchKind) {
  const groups = d?.groups ?? [];
  // `totals` count the plan's own kind; a finer kind is counted from the groups listed.
  const own = !d?.match || d.match === planMatch;
  const totals = own ? d?.totals : undefined;
  return {
    more: !own && !!d?.nextCursor,
    groupCount: totals ? totals.groups : groups.length,
    reclaim: totals
      ? totals.reclaimableBytes
      : groups.reduce((a, g) => a + (g.reclaimableBytes ?? g.totalBytes - g.size), 0),
  };
}

export function Plan({ job: shown, version }: { job: Job; version: number }) {
  // Apply and rollback jobs point at their plan; the plan's id reads the records in every server version.
  const planId = typeof shown.input.planJobId === "string" ? shown.input.planJobId : shown.id;
  const job = { id: planId };
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const [reportHtml, setReportHtml] = useState<string | null>(null);
  // "": the plan's own kind; a finer kind lists the same plan's records grouped that way.
  const [match, setMatch] = useState<MatchKind | "">("");
  const summary = useLoad(() => loadSummary(job.id), [job.id, version]);
  const dups = useLoad(
    () =>
      call<Duplicates>("jobDuplicates", {
        params: { id: job.id },
        query: { match: match || undefined, limit: 50 },
      }).catch(() => ({ match: undefined, groups: [], totals: undefined, nextCursor: null })),
    [job.id, version, match],
  );
  // The plan's own kind is in its input (apply and rollback jobs point at the plan).
  const planJob = useLoad(
    () =>
      planId === shown.id
        ? Promise.resolve(shown)
        : call<{ job: Job }>("job", { params: { id: planId } }).then((r) => r.job),
    [planId],
  );
  const planMatch = (planJob.data?.input.match as MatchKind | undefined) ?? "bytes";
  const records = usePaged(
    (cursor) =>
      call<Page<OrganizeFile>>("jobFiles", {
        params: { id: job.id },
        query: { status: status || undefined, category: category || undefined, cursor, limit: 50 },
      }),
    [job.id, status, category, version],
  );
  const { items: files, cursor, error } = records;

  const totals = summary.data?.byCategory ?? [];
  const groups = dups.data?.groups ?? [];
  const { more, groupCount, reclaim } = duplicateCounts(dups.data, planMatch);
  // Kinds the plan's records can be grouped by: its own and the finer ones.
  const kinds = MATCH_KINDS.slice(0, MATCH_KINDS.indexOf(planMatch) + 1);

  return (
    <div class="plan">
      <div class="plan-top">
        <div>
          <h3>Bytes per category</h3>
          <BarChart
            label="Categories"
            testId="category-chart"
            bars={totals.map((t) => ({
              key: t.category,
              label: t.category,
              value: t.bytes || t.files,
              figure: `${t.files} files · ${formatBytes(t.bytes)}`,
            }))}
          >
            {!totals.length ? <p class="muted">No files in this plan.</p> : null}
          </BarChart>
        </div>
        <div>
          <h3>Duplicates</h3>
          {kinds.length > 1 ? (
            <Select
              label="Review"
              value={match || planMatch}
              onValue={setMatch}
              options={kinds.map((k) => ({ value: k, label: MATCH_LABELS[k] }))}
            />
          ) : null}
          <p data-testid="duplicate-totals">
            {groupCount}
            {more ? "+" : ""} group{groupCount === 1 && !more ? "" : "s"} of{" "}
            {MATCH_LABELS[dups.data?.match ?? "bytes"]} · <strong>{formatBytes(reclaim)}</strong> reclaimable
          </p>
          <ul class="dup-list" data-testid="duplicate-groups">
            {groups.slice(0, 20).map((g) => (
              <li key={g.key ?? g.sha256}>
                <span class="mono">{(g.key ?? g.sha256).slice(0, 10)}</span> × {g.count} (
                {formatBytes(g.totalBytes)})
                <ul>
                  {g.files.map((f) => (
                    <li key={f.mediaId} class="muted ellipsis">
                      {f.originalPath}
                      {f.width && f.height ? ` ${f.width}×${f.height}` : ""}{" "}
                      {f.mediaId === g.keep || !f.duplicateOf ? "(kept)" : `→ ${f.action}`}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      </div>
      <h3>Files</h3>
      <div class="filters">
        <Select
          aria-label="Filter by category"
          value={category}
          onValue={setCategory}
          all="All categories"
          options={totals.map((t) => t.category)}
        />
        <Select
          aria-label="Filter by file status"
          value={status}
          onValue={setStatus}
          all="All statuses"
          options={FILE_STATUSES}
        />
        <button
          type="button"
          class="btn"
          onClick={() =>
            getText("jobReport", { id: job.id }, { format: "html" }).then(setReportHtml, toastError)
          }
        >
          Open report
        </button>
        <a class="btn" href={url("jobReport", { id: job.id }, { format: "csv" })} download>
          CSV
        </a>
        <a class="btn" href={url("jobReport", { id: job.id }, { format: "json" })} download>
          JSON
        </a>
      </div>
      <ErrorBox error={error} />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
      <section class="table-scroll" tabIndex={0} aria-label="Files in the plan">
        <table class="table" data-testid="plan-files">
          <TableHead columns={["From", "To", "Category", "Size", "Action", "Status"]} />
          <tbody>
            {files.map((f) => (
              <tr key={f.mediaId}>
                <td class="ellipsis">{f.originalPath}</td>
                <td class="ellipsis">{f.newPath ?? "–"}</td>
                <td>{f.category}</td>
                <td>{formatBytes(f.size)}</td>
                <td>{f.action}</td>
                <td>
                  <StatusBadge status={f.status} />
                  {f.reason ? <span class="hint"> {f.reason}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {cursor ? <MoreButton onClick={records.more}>More files</MoreButton> : null}
      {reportHtml !== null ? (
        <div class="report">
          <div class="row-between">
            <h3>Report</h3>
            <button type="button" class="btn btn-ghost" onClick={() => setReportHtml(null)}>
              Close report
            </button>
          </div>
          <iframe title="Organizer report" sandbox="" srcdoc={reportHtml} class="report-frame" />
        </div>
      ) : null}
    </div>
  );
}
