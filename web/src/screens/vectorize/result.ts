import type { Job } from "../../api";

/** What a succeeded vectorize job's result tells the studio. */
export interface VectorResult {
  jobId: string;
  svgMediaId: string;
  name?: string;
  bytes: number;
  paths: number;
  /** curve and line segments of the path data */
  points?: number;
  colors?: number;
  width?: number;
  height?: number;
  cached: boolean;
  quality?: { ssim: number; deltaE: number; gmsd: number };
  pricing?: string;
  tune?: {
    met: boolean;
    chosen: number;
    attempts: { level: number; bytes: number; ssim: number; met: boolean }[];
  };
  /** the job's trace is stored: every format can be written from it */
  formats: boolean;
}

export function readResult(job: Job): VectorResult | null {
  const r = job.result as Record<string, unknown> | null;
  const id = (r?.svgMediaId ?? r?.mediaId) as string | undefined;
  if (!r || !id) return null;
  return {
    jobId: job.id,
    svgMediaId: id,
    name: r.name as string | undefined,
    bytes: Number(r.bytes ?? 0),
    paths: Number(r.paths ?? 0),
    points: r.points as number | undefined,
    colors: r.colors as number | undefined,
    width: r.width as number | undefined,
    height: r.height as number | undefined,
    cached: r.cached === true,
    quality: r.quality as VectorResult["quality"],
    pricing: r.pricing as string | undefined,
    tune: r.tune as VectorResult["tune"],
    formats: typeof r.vectorSha256 === "string",
  };
}

/** The result's SVG: written from the stored trace (named for what made it), or the library's copy. */
export function svgUrlOf(r: VectorResult): string {
  return r.formats ? `/api/v1/jobs/${r.jobId}/result?format=svg` : `/api/v1/media/${r.svgMediaId}/content`;
}
