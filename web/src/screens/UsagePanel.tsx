import { useState } from "preact/hooks";
import { formatBytes, type Usage } from "../api";
import { BarChart, ErrorBox, Select, Stat, TableHead, useLoad } from "../ui";

const WINDOWS = [
  { value: "7", label: "Last 7 days" },
  { value: "30", label: "Last 30 days" },
  { value: "90", label: "Last 90 days" },
];

/**
 * Use per UTC day — API calls (a bar per day), bytes, jobs and credits — for Account (your own) and
 * Admin → Users (anyone's); `load` says whose.
 */
export function UsagePanel({ load, label }: { load: (days: string) => Promise<Usage>; label: string }) {
  const [days, setDays] = useState("30");
  const { data, error, loading } = useLoad(() => load(days), [days]);
  const list = data?.days ?? [];
  const jobsOf = (d: Usage["days"][number]) => d.jobs.reduce((a, j) => a + j.count, 0);
  return (
    <section aria-label={label} aria-busy={loading} data-testid="usage">
      <div class="filters">
        <Select aria-label="Usage window" value={days} options={WINDOWS} onValue={setDays} />
      </div>
      <ErrorBox error={error} />
      {data ? (
        <>
          <div class="stat-row" data-testid="usage-totals">
            <Stat value={data.totals.apiCalls} label="API calls" />
            <Stat value={formatBytes(data.totals.bytesUploaded)} label="uploaded" />
            <Stat value={formatBytes(data.totals.bytesServed)} label="served" />
            <Stat value={data.totals.jobs} label="jobs" />
            <Stat value={data.totals.creditsSpent} label="credits spent" />
          </div>
          <BarChart
            label="API calls per day"
            bars={list.slice(-14).map((d) => ({ key: d.day, label: d.day.slice(5), value: d.apiCalls }))}
          />
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
          <section class="table-scroll" tabIndex={0} aria-label="Usage per day">
            <table class="table" data-testid="usage-days">
              <TableHead columns={["Day", "API calls by class", "Uploaded", "Served", "Jobs", "Credits"]} />
              <tbody>
                {list
                  .filter((d) => d.apiCalls || jobsOf(d) || d.creditsSpent)
                  .reverse()
                  .map((d) => (
                    <tr key={d.day}>
                      <td>{d.day}</td>
                      <td>
                        {Object.entries(d.apiCallsByClass)
                          .sort((a, b) => b[1] - a[1])
                          .map(([c, n]) => `${c} ${n}`)
                          .join(" · ")}
                      </td>
                      <td>{formatBytes(d.bytesUploaded)}</td>
                      <td>{formatBytes(d.bytesServed)}</td>
                      <td>{d.jobs.map((j) => `${j.type} ${j.outcome} ${j.count}`).join(" · ") || "–"}</td>
                      <td>{d.creditsSpent}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </section>
  );
}
