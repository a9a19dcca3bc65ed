/**
 * Auto-tune (issue 16, point 4): with `target`, a job traces up to a fixed number of option sets and
 * keeps the smallest result that meets the target. The option sets are levels around the caller's:
 * level k > 0 is richer (more detail and colours, less smoothing, smaller speckles), k < 0 leaner.
 * From the caller's own options (level 0) the search walks down while the target is still met (a
 * smaller file at the quality asked for) or up until it is met. With `maxBytes` alone the first level
 * that fits is kept: anything leaner would only lose quality that the target does not ask to give up.
 */
import { resolveOptions, type TraceOptions } from "../wasm/shared";
import type { VectorizeTarget } from "./options";

export interface Measured {
  bytes: number;
  ssim: number;
}

export interface TuneAttempt extends Measured {
  level: number;
  met: boolean;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The caller's options moved `level` steps richer (> 0) or leaner (< 0). */
export function levelOptions(base: TraceOptions, level: number): TraceOptions {
  if (level === 0) return base;
  const r = resolveOptions(base);
  const out: TraceOptions = {
    ...base,
    detail: clamp(r.detail + 15 * level, 0, 100),
    smoothness: clamp(r.smoothness - 12 * level, 0, 100),
    speckle: clamp(Math.round(r.speckle * 0.6 ** level), 0, 100_000),
  };
  if (base.colors !== undefined || r.mode === "posterize")
    out.colors = clamp(Math.round(r.colors * 1.4 ** level), 2, 64);
  if (level <= -2) out.precision = clamp(r.precision - 1, 0, 3);
  return out;
}

export function meets(target: VectorizeTarget, m: Measured): boolean {
  return (
    (target.minSSIM === undefined || m.ssim >= target.minSSIM) &&
    (target.maxBytes === undefined || m.bytes <= target.maxBytes)
  );
}

/**
 * Runs the search within `budget` attempts; `attempt(level)` traces and measures. Returns every
 * attempt in order and the index of the one kept: the smallest that met the target (with `maxBytes`
 * alone, the first that fit); when none did, the closest (the smallest under `maxBytes`, the best
 * SSIM under `minSSIM` alone).
 */
export async function tune(
  target: VectorizeTarget,
  budget: number,
  attempt: (level: number) => Promise<Measured>,
): Promise<{ attempts: TuneAttempt[]; chosen: number }> {
  const attempts: TuneAttempt[] = [];
  const run = async (level: number) => {
    const m = await attempt(level);
    const a = { level, ...m, met: meets(target, m) };
    attempts.push(a);
    return a;
  };
  const first = await run(0);
  const leaner = first.met
    ? target.minSSIM !== undefined
    : target.maxBytes !== undefined && first.bytes > target.maxBytes;
  const step = leaner ? -1 : 1;
  // walking leaner from a met level, stop at the first miss; otherwise stop at the first hit
  if (!(first.met && target.minSSIM === undefined)) {
    for (let level = step; attempts.length < Math.max(1, budget); level += step) {
      const a = await run(level);
      if (first.met ? !a.met : a.met) break;
    }
  }
  return { attempts, chosen: choose(target, attempts) };
}

function choose(target: VectorizeTarget, attempts: TuneAttempt[]): number {
  const met = attempts.map((a, i) => ({ a, i })).filter((x) => x.a.met);
  const by = (list: { a: TuneAttempt; i: number }[], better: (x: TuneAttempt, y: TuneAttempt) => boolean) =>
    list.reduce((best, x) => (better(x.a, best.a) ? x : best)).i;
  if (met.length) {
    if (target.minSSIM !== undefined) return by(met, (x, y) => x.bytes < y.bytes);
    return met[0]!.i;
  }
  const all = attempts.map((a, i) => ({ a, i }));
  if (target.maxBytes !== undefined) return by(all, (x, y) => x.bytes < y.bytes);
  return by(all, (x, y) => x.ssim > y.ssim);
}
