import { useState } from "preact/hooks";
import { call, type Metrics } from "../../api";
import { BarChart, ErrorBox, Select, Stat, TableHead, useLoad } from "../../ui";

const WINDOWS = [
  { value: "60", label: "Last hour" },
  { value: "1440", label: "Last 24 hours" },
  { value: "10080", label: "Last 7 days" },
];
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Requests per route (rate, latency percentiles, error rate) and job figures, from the minute rollups. */
export function MetricsPanel() {
  const [minutes, setMinutes] = useState("60");
  const { data, error, loading } = useLoad(
    () => call<Metrics>("adminMetrics", { query: { minutes } }),
    [minutes],
  );
  const series = data?.requests.series ?? [];
  return (
    <section aria-label="Metrics" aria-busy={loading}>
      <div class="filters">
        <Select aria-label="Time window" value={minutes} options={WINDOWS} onValue={setMinutes} />
      </div>
      <ErrorBox error={error} />
      {data ? (
        <>
          <div class="stat-row" data-testid="metrics-totals">
            <Stat value={data.requests.total.perSecond.toFixed(2)} label="requests/s" />
            <Stat value={`${data.requests.total.p95Ms} ms`} label="p95 latency" />
            <Stat value={pct(data.requests.total.errorRate)} label="error rate (5xx)" />
            <Stat value={`${Math.round(data.jobs.queueWaitP95Ms / 1000)} s`} label="queue wait p95" />
            <Stat value={pct(data.jobs.failureRate)} label="job failure rate" />
            <Stat value={data.jobs.deadLettered} label="dead-lettered" />
          </div>
          <BarChart
            label="Requests per minute"
            bars={series
              .slice(-30)
              .map((s) => ({ key: s.minute, label: s.minute.slice(11), value: s.requests }))}
          />
          <BarChart
            label="Job attempts per minute"
            testId="metrics-jobs"
            bars={data.jobs.perMinute.slice(-30).map((m) => ({
              key: m.minute,
              label: m.minute.slice(11),
              value: m.attempts,
              figure: m.failed > 0 ? `${m.attempts} (${m.failed} failed)` : String(m.attempts),
              tone: m.failed > 0 ? "failed" : undefined,
            }))}
          />
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (axe scrollable-region-focusable) */}
          <section class="table-scroll" tabIndex={0} aria-label="Requests per route">
            <table class="table" data-testid="metrics-routes">
              <TableHead columns={["Route", "Requests", "req/s", "p50", "p95", "p99", "Errors"]} />
              <tbody>
                {data.requests.routes.map((r) => (
                  <tr key={r.route}>
                    <td>
                      <code>{r.route}</code>
                    </td>
                    <td>{r.requests}</td>
                    <td>{r.perSecond.toFixed(3)}</td>
                    <td>{r.p50Ms} ms</td>
                    <td>{r.p95Ms} ms</td>
                    <td>{r.p99Ms} ms</td>
                    <td>{pct(r.errorRate)}</td>
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
