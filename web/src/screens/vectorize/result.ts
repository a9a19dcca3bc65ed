import type { Job } from "../../api";

/** What a succeeded vectorize job's result tells the studio. */
export interface VectorResult {
  svgMediaId: string;
  bytes: number;
  paths: number;
  colors?: number;
  width?: number;
  height?: number;
}

export function readResult(job: Job): VectorResult | null {
  const r = job.result as Record<string, unknown> | null;
  const id = (r?.svgMediaId ?? r?.mediaId) as string | undefined;
  if (!r || !id) return null;
  return {
    svgMediaId: id,
    bytes: Number(r.bytes ?? 0),
    paths: Number(r.paths ?? 0),
    colors: r.colors as number | undefined,
    width: r.width as number | undefined,
    height: r.height as number | undefined,
  };
}
