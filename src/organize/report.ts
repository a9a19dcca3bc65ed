import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { type Job, jobs } from "../db/jobs-schema";
import type { OrganizePlan } from "../db/organize-schema";
import { toJobView } from "../jobs/views";
import { csvField } from "../lib/csv";
import { allFiles, categoryBreakdown, type FileView, toFileView } from "./queries";
import { planSummary } from "./stages/finish";

/** Reports of one plan: a summary, then one row per file, streamed a page at a time. */

export async function buildSummary(db: Db, plan: OrganizePlan) {
  const ids = [plan.jobId, plan.applyJobId, plan.rollbackJobId].filter((id): id is string => id !== null);
  const related = await db.select().from(jobs).where(inArray(jobs.id, ids)).all();
  const byId = new Map(related.map((j) => [j.id, j]));
  const duration = (job: Job | undefined) =>
    job?.startedAt && job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null;
  const [summary, byCategory] = await Promise.all([
    planSummary(db, plan.jobId),
    categoryBreakdown(db, plan.jobId),
  ]);
  const jobErrors = related
    .filter((j) => j.status === "failed")
    .map((j) => ({ jobId: j.id, code: j.errorCode, message: j.errorMessage }));
  return {
    planJobId: plan.jobId,
    state: plan.state,
    folder: plan.folder,
    dryRun: plan.dryRun,
    duplicatesMode: plan.duplicates,
    keep: plan.keep,
    template: plan.template,
    conflict: plan.conflict,
    createdAt: plan.createdAt,
    files: summary.files,
    bytes: summary.bytes,
    statuses: summary.statuses,
    byCategory,
    duplicates: summary.duplicates,
    errors: {
      skipped: summary.statuses.skipped ?? 0,
      rollbackSkipped: summary.statuses["rollback-skipped"] ?? 0,
      jobs: jobErrors,
    },
    durationMs: {
      plan: duration(byId.get(plan.jobId)),
      apply: plan.applyJobId ? duration(byId.get(plan.applyJobId)) : null,
      rollback: plan.rollbackJobId ? duration(byId.get(plan.rollbackJobId)) : null,
    },
    jobs: related.map(toJobView).map((j) => ({ id: j.id, status: j.status, input: j.input })),
  };
}

export type Summary = Awaited<ReturnType<typeof buildSummary>>;

/** A streamed body; each `write` waits for the reader (backpressure), so memory stays one page. */
function stream(
  produce: (write: (text: string) => Promise<void>) => Promise<void>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const write = (text: string) => writer.write(encoder.encode(text));
  (async () => {
    try {
      await produce(write);
      await writer.close();
    } catch (error) {
      await writer.abort(error);
    }
  })();
  return readable;
}

// ------------------------------------------------------------------------------------ JSON

export function jsonReport(db: Db, plan: OrganizePlan, summary: Summary): ReadableStream<Uint8Array> {
  return stream(async (write) => {
    await write(`{"summary":${JSON.stringify(summary)},"files":[`);
    let first = true;
    for await (const page of allFiles(db, plan.jobId)) {
      await write(
        page.map((f, i) => `${first && i === 0 ? "" : ","}${JSON.stringify(toFileView(f))}`).join(""),
      );
      first = false;
    }
    await write("]}");
  });
}

// ------------------------------------------------------------------------------------ CSV

const CSV_COLUMNS: (keyof FileView)[] = [
  "mediaId",
  "originalPath",
  "newPath",
  "category",
  "mime",
  "size",
  "sha256",
  "action",
  "status",
  "reason",
  "duplicateOf",
];

export function csvReport(db: Db, plan: OrganizePlan): ReadableStream<Uint8Array> {
  return stream(async (write) => {
    await write(`${CSV_COLUMNS.join(",")}\r\n`);
    for await (const page of allFiles(db, plan.jobId)) {
      let chunk = "";
      for (const f of page) {
        const view = toFileView(f);
        chunk += `${CSV_COLUMNS.map((c) => csvField(view[c] as string | number | null)).join(",")}\r\n`;
      }
      await write(chunk);
    }
  });
}

// ------------------------------------------------------------------------------------ HTML

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(
    /[&<>"'`]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" })[c]!,
  );
}

const formatBytes = (n: number) => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
};

/** A horizontal bar per category (files), as inline SVG: no script, no external resource. */
export function categoryChart(rows: { category: string; files: number; bytes: number }[]): string {
  const barHeight = 22;
  const labelWidth = 160;
  const width = 640;
  const max = Math.max(1, ...rows.map((r) => r.files));
  const height = Math.max(1, rows.length) * (barHeight + 6) + 10;
  const bars = rows
    .map((r, i) => {
      const y = 5 + i * (barHeight + 6);
      const w = Math.max(1, Math.round(((width - labelWidth - 140) * r.files) / max));
      return `<g><text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(r.category)}</text><rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="#4f7cac"><title>${escapeHtml(r.category)}: ${r.files} files, ${escapeHtml(formatBytes(r.bytes))}</title></rect><text x="${labelWidth + w + 6}" y="${y + 15}">${r.files} · ${escapeHtml(formatBytes(r.bytes))}</text></g>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Files per category" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">${bars}</svg>`;
}

export function htmlReport(db: Db, plan: OrganizePlan, summary: Summary): ReadableStream<Uint8Array> {
  return stream(async (write) => {
    const s = summary;
    const stat = (label: string, value: unknown) =>
      `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
    await write(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Organize report ${escapeHtml(plan.jobId)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}th{background:#f3f3f3}.files td{white-space:pre-wrap}</style></head><body>
<h1>Organize report</h1><table>${stat("Plan", s.planJobId)}${stat("State", s.state)}${stat("Folder", s.folder)}${stat("Dry run", s.dryRun)}${stat("Template", s.template)}${stat("Conflicts", s.conflict)}${stat("Duplicates", `${s.duplicatesMode}, keep ${s.keep}`)}${stat("Files", s.files)}${stat("Bytes", formatBytes(s.bytes))}${stat("Duplicate groups", s.duplicates.groups)}${stat("Redundant copies", s.duplicates.redundantFiles)}${stat("Reclaimable", formatBytes(s.duplicates.reclaimableBytes))}${stat("Skipped", s.errors.skipped)}${stat("Not rolled back", s.errors.rollbackSkipped)}${stat("Job errors", s.errors.jobs.map((e) => `${e.code}: ${e.message}`).join("; ") || "none")}${stat("Duration plan / apply / rollback (ms)", `${s.durationMs.plan ?? "–"} / ${s.durationMs.apply ?? "–"} / ${s.durationMs.rollback ?? "–"}`)}</table>
<h2>Per category</h2>${categoryChart(s.byCategory)}
<h2>Files</h2><table class="files"><thead><tr><th>Original path</th><th>New path</th><th>Category</th><th>Size</th><th>Action</th><th>Status</th><th>Reason</th></tr></thead><tbody>`);
    for await (const page of allFiles(db, plan.jobId)) {
      let chunk = "";
      for (const f of page) {
        const v = toFileView(f);
        chunk += `<tr><td>${escapeHtml(v.originalPath)}</td><td>${escapeHtml(v.newPath ?? "(trash)")}</td><td>${escapeHtml(v.category)}</td><td>${v.size}</td><td>${escapeHtml(v.action)}</td><td>${escapeHtml(v.status)}</td><td>${escapeHtml(v.reason ?? "")}</td></tr>`;
      }
      await write(chunk);
    }
    await write("</tbody></table></body></html>");
  });
}
