// The admin "Activity" tab: jobs, uploads and storage over time from GET /admin/stats, drawn as
// small inline-SVG bar charts (no chart library). Loaded on demand by Admin.tsx, so none of this
// is in the first screen's JavaScript.
import { useId, useState } from "preact/hooks";
import { type AdminStats, call, type DailyStats, formatBytes } from "../api";
import { ErrorBox, Select, Stat, TableHead, useLoad } from "../ui";

const PERIODS = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
] as const;
type Period = (typeof PERIODS)[number]["value"];

const plain = (n: number) => n.toLocaleString();
/** "2026-11-21" → "Nov 21" (the API's days are UTC days). */
const shortDate = (d: string) =>
  new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
const sum = (days: DailyStats[], key: keyof Omit<DailyStats, "date">) => days.reduce((a, d) => a + d[key], 0);

interface Series {
  label: string;
  /** Colour class: tchart-accent, tchart-ok, tchart-danger. */
  tone: "accent" | "ok" | "danger";
  values: number[];
}

/**
 * Bars per day, one bar per series side by side. The SVG is an image named by its <title> and
 * <desc> (a summary); each bar has a <title> for pointer users, and the exact numbers are in a
 * table under "Show the numbers", so nothing is only in the picture.
 */
export function TimeChart(props: {
  title: string;
  dates: string[];
  series: Series[];
  format?: (n: number) => string;
  testId?: string;
}) {
  const { title, dates, series } = props;
  const format = props.format ?? plain;
  const id = useId();
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const slot = 10;
  const gap = 2;
  const bw = (slot - gap) / Math.max(1, series.length);
  const width = Math.max(1, dates.length) * slot;
  const height = 100;
  const totals = series.map((s) => `${s.label} ${format(s.values.reduce((a, v) => a + v, 0))}`).join(", ");
  const desc = dates.length
    ? `${shortDate(dates[0] ?? "")} to ${shortDate(dates.at(-1) ?? "")}, in total: ${totals}. Highest day: ${format(max)}.`
    : "No data yet.";
  return (
    <figure class="tchart" data-testid={props.testId}>
      <figcaption class="tchart-head">
        <strong>{title}</strong>
        <span class="muted">peak {format(max)} / day</span>
      </figcaption>
      {series.length > 1 ? (
        <ul class="tchart-legend">
          {series.map((s) => (
            <li key={s.label}>
              <span class={`tchart-swatch tchart-${s.tone}`} aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
      <svg
        class="tchart-svg"
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{desc}</desc>
        <line
          class="tchart-mid"
          x1="0"
          x2={width}
          y1={height / 2}
          y2={height / 2}
          vector-effect="non-scaling-stroke"
        />
        {dates.map((date, i) =>
          series.map((s, j) => {
            const v = s.values[i] ?? 0;
            const h = (v / max) * height;
            return v > 0 ? (
              <rect
                key={`${date}-${s.label}`}
                class={`tchart-${s.tone}`}
                x={i * slot + gap / 2 + j * bw}
                y={height - h}
                width={bw}
                height={h}
              >
                <title>
                  {shortDate(date)}: {s.label} {format(v)}
                </title>
              </rect>
            ) : null;
          }),
        )}
        <line
          class="tchart-base"
          x1="0"
          x2={width}
          y1={height}
          y2={height}
          vector-effect="non-scaling-stroke"
        />
      </svg>
      <div class="tchart-axis" aria-hidden="true">
        <span>{dates.length ? shortDate(dates[0] ?? "") : ""}</span>
        <span>{dates.length ? shortDate(dates.at(-1) ?? "") : ""}</span>
      </div>
      <details class="tchart-numbers">
        <summary>Show the numbers</summary>
        <section
          class="table-scroll"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be keyboard-focusable (WCAG 2.1.1, axe scrollable-region-focusable)
          tabIndex={0}
          aria-label={`${title}, numbers (scrollable)`}
        >
          <table class="table">
            <caption class="sr-only">{title}</caption>
            <TableHead columns={["Day", ...series.map((s) => s.label)]} />
            <tbody>
              {dates.map((date, i) => (
                <tr key={date}>
                  <th scope="row">{shortDate(date)}</th>
                  {series.map((s) => (
                    <td key={s.label}>{format(s.values[i] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </details>
    </figure>
  );
}

export function AdminActivity() {
  const [period, setPeriod] = useState<Period>("30");
  const { data, error, loading } = useLoad(
    () => call<AdminStats>("adminStats", { query: { days: period } }),
    [period],
  );
  const days = data?.days ?? [];
  const dates = days.map((d) => d.date);
  const col = (key: keyof Omit<DailyStats, "date">) => days.map((d) => d[key]);
  const num = (n: number | undefined, f: (n: number) => string = plain) => (n === undefined ? "–" : f(n));
  return (
    <section aria-label="Activity" aria-busy={loading} data-testid="admin-activity">
      <div class="row-between activity-head">
        <h2>Storage and jobs over time</h2>
        <Select label="Period" value={period} onValue={setPeriod} options={PERIODS} />
      </div>
      <ErrorBox error={error} />
      <div class="stat-row stat-grid" data-testid="admin-totals">
        <Stat value={num(data?.totals.users)} label="users" />
        <Stat value={num(data?.totals.files)} label="files stored" />
        <Stat value={num(data?.totals.storedBytes, formatBytes)} label="stored" />
        <Stat value={data ? plain(sum(days, "jobsCreated")) : "–"} label="jobs in the period" />
        <Stat value={data ? plain(sum(days, "uploads")) : "–"} label="uploads in the period" />
        <Stat value={data ? plain(sum(days, "signups")) : "–"} label="sign-ups in the period" />
      </div>
      <div class="tchart-grid">
        <TimeChart
          title="Jobs per day"
          testId="chart-jobs"
          dates={dates}
          series={[
            { label: "Created", tone: "accent", values: col("jobsCreated") },
            { label: "Succeeded", tone: "ok", values: col("jobsSucceeded") },
            { label: "Failed", tone: "danger", values: col("jobsFailed") },
          ]}
        />
        <TimeChart
          title="Uploads per day"
          testId="chart-uploads"
          dates={dates}
          series={[{ label: "Uploads", tone: "accent", values: col("uploads") }]}
        />
        <TimeChart
          title="Uploaded bytes per day"
          testId="chart-bytes"
          dates={dates}
          format={formatBytes}
          series={[{ label: "Uploaded", tone: "ok", values: col("uploadedBytes") }]}
        />
      </div>
    </section>
  );
}
