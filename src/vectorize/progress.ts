/**
 * A vectorize job's live progress (issue 16, point 6): the real stages with percentages. Decoding is
 * 0-15 %, the trace attempts share 15-85 % (each: quantizing, tracing, measuring — the tracer itself
 * reports quantizing and tracing as it goes, through traceRgbaAsync), writing 85-100 %. Reports are
 * published (and the lease extended) when the stage changes, the percentage moved by 5 or a second
 * passed; in between, the trace only yields, so other requests of the isolate (in `wrangler dev`,
 * where the consumer shares the isolate with every request) and progress frames get through.
 */
import type { JobProgress } from "../db/jobs-schema";
import type { TraceProgress } from "../wasm/shared";

export const STAGES = ["decoding", "quantizing", "tracing", "measuring", "writing"] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Lets the isolate's other work run (requests, WebSocket frames) before going on: a macrotask turn,
 * not just a microtask one. Long CPU steps of a job call it between them.
 */
export function yieldToOthers(): Promise<void> {
  const s = (globalThis as { scheduler?: { wait(ms: number): Promise<void> } }).scheduler;
  return s ? s.wait(0) : new Promise((resolve) => setTimeout(resolve, 0));
}

const TRACE_FROM = 15;
const TRACE_TO = 85;

export function progressReporter(step: (p: JobProgress) => Promise<void>, attempts: number) {
  let last = { stage: "", percent: -100, at: 0 };
  const report = async (stage: Stage, percent: number, force = false) => {
    const p = Math.max(0, Math.min(100, Math.round(percent)));
    const now = Date.now();
    if (!force && stage === last.stage && p - last.percent < 5 && now - last.at < 1000) {
      await yieldToOthers();
      return;
    }
    last = { stage, percent: p, at: now };
    await step({ stage, done: STAGES.indexOf(stage), total: STAGES.length, percent: p });
  };
  const share = (TRACE_TO - TRACE_FROM) / Math.max(1, attempts);
  return {
    stage: (stage: Stage, percent: number) => report(stage, percent, true),
    /** the tracer's own progress during attempt `k` (0-based) */
    trace: (k: number, p: TraceProgress) => {
      const base = TRACE_FROM + share * k;
      if (p.stage === "quantizing" || p.stage === "decoding")
        return report("quantizing", base + share * 0.4 * p.fraction);
      return report("tracing", base + share * (0.4 + 0.45 * p.fraction));
    },
    measuring: (k: number) => report("measuring", TRACE_FROM + share * (k + 0.9), true),
    writing: () => report("writing", TRACE_TO, true),
  };
}
