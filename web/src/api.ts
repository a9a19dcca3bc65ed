import createClient from "openapi-fetch";
import { Upload as TusUpload } from "tus-js-client";
import type { components, paths } from "./api-schema";
// The typed API client. Every call goes through ROUTES, a table of the public API's method + path
// templates; test/e2e checks each one against /api/v1/openapi.json so the client can't drift from it.
// Auth is the session cookie (same-origin), so no tokens are kept in the page.

export const ROUTES = {
  register: ["POST", "/auth/register"],
  login: ["POST", "/auth/login"],
  logout: ["POST", "/auth/logout"],
  me: ["GET", "/me"],
  changePassword: ["POST", "/me/password"],
  sessions: ["GET", "/sessions"],
  endSession: ["DELETE", "/sessions/{id}"],
  endOtherSessions: ["DELETE", "/sessions"],
  apiKeys: ["GET", "/api-keys"],
  createApiKey: ["POST", "/api-keys"],
  revokeApiKey: ["DELETE", "/api-keys/{id}"],
  adminUsers: ["GET", "/admin/users"],
  adminUpdateUser: ["PATCH", "/admin/users/{id}"],
  adminEndUserSessions: ["DELETE", "/admin/users/{id}/sessions"],
  adminJobStats: ["GET", "/admin/jobs/stats"],
  adminRetryJobs: ["POST", "/admin/jobs/retry"],
  adminStats: ["GET", "/admin/stats"],
  adminAudit: ["GET", "/admin/audit"],
  adminMetrics: ["GET", "/admin/metrics"],
  adminUptime: ["GET", "/admin/health"],
  securityEvents: ["GET", "/me/security-events"],
  myUsage: ["GET", "/me/usage"],
  adminUserUsage: ["GET", "/admin/users/{id}/usage"],
  adminAlertRules: ["GET", "/admin/alerts"],
  createAlertRule: ["POST", "/admin/alerts"],
  updateAlertRule: ["PATCH", "/admin/alerts/{id}"],
  deleteAlertRule: ["DELETE", "/admin/alerts/{id}"],
  adminAlertEvents: ["GET", "/admin/alerts/events"],
  adminJobs: ["GET", "/admin/jobs"],
  adminJob: ["GET", "/admin/jobs/{id}"],
  adminJobSource: ["GET", "/admin/jobs/{id}/source"],
  adminReplayJobs: ["POST", "/admin/jobs/replay"],
  adminCancelJobs: ["POST", "/admin/jobs/cancel"],
  adminAnnouncements: ["GET", "/admin/announcements"],
  createAnnouncement: ["POST", "/admin/announcements"],
  updateAnnouncement: ["PATCH", "/admin/announcements/{id}"],
  deleteAnnouncement: ["DELETE", "/admin/announcements/{id}"],
  announcements: ["GET", "/announcements"],
  dismissAnnouncement: ["POST", "/announcements/{id}/dismiss"],
  health: ["GET", "/health"],
  media: ["GET", "/media"],
  upload: ["POST", "/media"],
  mediaStats: ["GET", "/media/stats"],
  bulk: ["POST", "/media/bulk"],
  mediaOne: ["GET", "/media/{id}"],
  patchMedia: ["PATCH", "/media/{id}"],
  deleteMedia: ["DELETE", "/media/{id}"],
  restoreMedia: ["POST", "/media/{id}/restore"],
  content: ["GET", "/media/{id}/content"],
  thumbnail: ["GET", "/media/{id}/thumbnail"],
  shares: ["GET", "/media/{id}/shares"],
  createShare: ["POST", "/media/{id}/shares"],
  revokeShare: ["DELETE", "/media/{id}/shares/{shareId}"],
  createCollectionShare: ["POST", "/shares"],
  myShares: ["GET", "/me/shares"],
  extendShare: ["PATCH", "/me/shares/{id}"],
  revokeMyShare: ["DELETE", "/me/shares/{id}"],
  createUpload: ["POST", "/media/uploads"],
  uploadPart: ["PUT", "/media/uploads/{id}/parts/{partNumber}"],
  completeUpload: ["POST", "/media/uploads/{id}/complete"],
  abortUpload: ["DELETE", "/media/uploads/{id}"],
  image: ["GET", "/media/{id}/image"],
  zip: ["GET", "/media/zip"],
  emptyTrash: ["POST", "/trash/empty"],
  folders: ["GET", "/folders"],
  createFolder: ["POST", "/folders"],
  renameFolder: ["PATCH", "/folders"],
  deleteFolder: ["DELETE", "/folders"],
  moveFolder: ["POST", "/folders/move"],
  vectorize: ["POST", "/vectorize"],
  vectorizeBatch: ["POST", "/vectorize/batch"],
  vectorizeQuote: ["POST", "/vectorize/quote"],
  jobResult: ["GET", "/jobs/{id}/result"],
  jobFormats: ["GET", "/jobs/{id}/formats"],
  unlockFormat: ["POST", "/jobs/{id}/formats/{format}"],
  jobs: ["GET", "/jobs"],
  job: ["GET", "/jobs/{id}"],
  cancelJob: ["POST", "/jobs/{id}/cancel"],
  jobWs: ["GET", "/jobs/{id}/ws"],
  // Organizer (API.md "Jobs" / "Categories"); optional until that API lands.
  organize: ["POST", "/organize"],
  jobFiles: ["GET", "/jobs/{id}/files"],
  jobDuplicates: ["GET", "/jobs/{id}/duplicates"],
  applyJob: ["POST", "/jobs/{id}/apply"],
  rollbackJob: ["POST", "/jobs/{id}/rollback"],
  jobReport: ["GET", "/jobs/{id}/report"],
  categories: ["GET", "/categories"],
  organizeSettings: ["GET", "/organize/settings"],
  putOrganizeSettings: ["PUT", "/organize/settings"],
  organizeRules: ["GET", "/organize/rules"],
  putOrganizeRules: ["PUT", "/organize/rules"],
  previewOrganizeRules: ["POST", "/organize/rules/preview"],
  // Account security and billing (issue 13).
  verifyEmail: ["POST", "/auth/verify-email"],
  resendVerification: ["POST", "/me/verify-email/resend"],
  passwordReset: ["POST", "/auth/password-reset"],
  passwordResetConfirm: ["POST", "/auth/password-reset/confirm"],
  twoFactorSetup: ["POST", "/me/2fa/setup"],
  twoFactorEnable: ["POST", "/me/2fa/enable"],
  twoFactorDisable: ["POST", "/me/2fa/disable"],
  packs: ["GET", "/billing/packs"],
  createOrder: ["POST", "/billing/orders"],
  captureOrder: ["POST", "/billing/orders/{orderId}/capture"],
  payments: ["GET", "/billing/payments"],
  adminDevMail: ["GET", "/admin/dev-mail"],
  adminPayments: ["GET", "/admin/payments"],
  adminRefundPayment: ["POST", "/admin/payments/{id}/refund"],
  adminAdjustCredits: ["POST", "/admin/users/{id}/credits"],
  adminChangeQuota: ["PATCH", "/admin/users/{id}/quota"],
  webhooks: ["GET", "/webhooks"],
  createWebhook: ["POST", "/webhooks"],
  updateWebhook: ["PATCH", "/webhooks/{id}"],
  deleteWebhook: ["DELETE", "/webhooks/{id}"],
  webhookDeliveries: ["GET", "/webhooks/{id}/deliveries"],
  resendDelivery: ["POST", "/webhooks/{id}/deliveries/{deliveryId}/resend"],
  storageConnections: ["GET", "/storage/connections"],
  createStorageConnection: ["POST", "/storage/connections"],
  testStorageConnection: ["POST", "/storage/connections/{id}/test"],
  deleteStorageConnection: ["DELETE", "/storage/connections/{id}"],
  importFromStorage: ["POST", "/storage/connections/{id}/import"],
  exportToStorage: ["POST", "/storage/connections/{id}/export"],
} as const satisfies Record<string, readonly [string, keyof paths]>;

export type RouteName = keyof typeof ROUTES;
/** Routes of the organizer: the e2e check reports them instead of failing when they are absent. */
export const OPTIONAL_ROUTES: RouteName[] = [
  "organize",
  "jobFiles",
  "jobDuplicates",
  "applyJob",
  "rollbackJob",
  "jobReport",
  "categories",
  "organizeSettings",
  "putOrganizeSettings",
  "organizeRules",
  "putOrganizeRules",
  "previewOrganizeRules",
];

export const API_BASE = "/api/v1";

// ---- Shapes: the OpenAPI document's, generated into api-schema.d.ts (`npm run openapi:types`) ----
type Schemas = components["schemas"];
/** The JSON a 200/201/202 of `path` `method` answers. */
type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer J } } }
    ? J
    : R extends { 201: { content: { "application/json": infer J } } }
      ? J
      : R extends { 202: { content: { "application/json": infer J } } }
        ? J
        : never
  : never;

export type User = Schemas["User"];
export type Quota = Schemas["Quota"];
export type Me = Schemas["Me"];
export type AdminUser = Schemas["AdminUser"];
export type Session = Schemas["Session"];
export type ApiKey = Schemas["ApiKey"];
export type CreditPack = Schemas["CreditPack"];
export type Payment = Schemas["Payment"];
export type AdminPayment = Schemas["AdminPayment"];
export type DevMail = Schemas["DevMail"];
export type Metrics = Schemas["Metrics"];
type ApiKeyRequest = NonNullable<paths["/api-keys"]["post"]["requestBody"]>["content"]["application/json"];
export const API_KEY_SCOPES = [
  "media:read",
  "media:write",
  "jobs:read",
  "jobs:write",
  "account:read",
  "webhooks:read",
  "webhooks:write",
  "storage:read",
  "storage:write",
  "admin",
] as const satisfies ApiKeyRequest["scopes"];

export type Media = Schemas["Media"];
export type MediaMetadata = NonNullable<Media["metadata"]>;
type UploadAnswers = paths["/media"]["post"]["responses"];
/** 201 stored (maybe renamed or replacing), or 200 skipped because the name was taken. */
export type Uploaded =
  | UploadAnswers[201]["content"]["application/json"]
  | UploadAnswers[200]["content"]["application/json"];
export type OnConflict = NonNullable<Upload["onConflict"]>;
export type FolderNode = Schemas["FolderNode"];
export type Share = Schemas["Share"];
export type Upload = Schemas["Upload"];
export type MediaStats = Schemas["MediaStats"];
export type Job = Schemas["Job"];
export type JobType = Job["type"];
export type JobStatus = Job["status"];
/**
 * The members of a union from the generated API schema, as a list that can't fall behind it: the
 * record must name every member and nothing else, or the web build fails.
 */
const everyMember = <T extends string>(members: Record<T, true>) => Object.keys(members) as T[];
export const JOB_TYPES = everyMember<JobType>({
  vectorize: true,
  "vectorize-batch": true,
  organize: true,
  fingerprints: true,
  "storage-import": true,
  "storage-export": true,
});
export const JOB_STATUSES = everyMember<JobStatus>({
  queued: true,
  running: true,
  succeeded: true,
  failed: true,
  cancelled: true,
});
export type Progress = Schemas["JobProgress"];
export type JobAttempt = Schemas["JobAttempt"];
export type AuditEntry = Schemas["AuditEntry"];
export type Announcement = Schemas["Announcement"];
export type Uptime = Schemas["Uptime"];
export type Usage = Schemas["Usage"];
export type AlertRule = Schemas["AlertRule"];
export type AlertEvent = Schemas["AlertEvent"];
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** One UTC day of GET /admin/stats. */
export type DailyStats = Schemas["DailyStats"];
export type AdminStats = Answer<"/admin/stats", "get">;
export type Health = Schemas["Health"];
export type TraceOptions = Schemas["TraceOptions"];
export type TracePreset = NonNullable<TraceOptions["preset"]>;
export type TraceMode = NonNullable<TraceOptions["mode"]>;
export type Quote = Schemas["VectorizeQuote"];
export type Pricing = Quote["pricing"];
export type FormatOffer = Schemas["ResultFormat"];
export type ResultFormat = FormatOffer["format"];
export const RESULT_FORMATS = ["svg", "pdf", "eps", "dxf", "png"] as const satisfies ResultFormat[];
export type OrganizeFile = Schemas["OrganizeFile"];
export type FileStatus = NonNullable<
  NonNullable<paths["/jobs/{id}/files"]["get"]["parameters"]["query"]>["status"]
>;
export type MediaSort = NonNullable<NonNullable<paths["/media"]["get"]["parameters"]["query"]>["sort"]>;
export type Webhook = Schemas["Webhook"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookEvent = Schemas["WebhookInput"]["events"][number];
export const WEBHOOK_EVENTS = everyMember<WebhookEvent>({
  "job.succeeded": true,
  "job.failed": true,
  "media.uploaded": true,
  "organize.applied": true,
  "organize.rolled_back": true,
  "alert.fired": true,
  "alert.resolved": true,
});
export type StorageConnection = Schemas["StorageConnection"];
export type StorageConnectionInput = Schemas["StorageConnectionInput"];
export type TransferResult = Schemas["StorageTransferResult"];
export type DuplicateGroup = Answer<"/jobs/{id}/duplicates", "get">["groups"][number];
export type OrganizeRequest = NonNullable<
  paths["/organize"]["post"]["requestBody"]
>["content"]["application/json"];
export type MatchKind = NonNullable<OrganizeRequest["match"]>;
export const PLAN_KINDS = ["organize", "dedupe"] as const satisfies NonNullable<OrganizeRequest["kind"]>[];
export const MATCH_KINDS = ["bytes", "pixels", "similar"] as const satisfies MatchKind[];
export const DUPLICATE_MODES = ["report", "move", "trash", "stack"] as const satisfies NonNullable<
  OrganizeRequest["duplicates"]
>[];
export const KEEP_POLICIES = [
  "oldest",
  "newest",
  "largest-resolution",
  "shortest-path",
  "protected",
] as const satisfies NonNullable<OrganizeRequest["keep"]>[];
export type OrganizeSettings = Schemas["OrganizeSettings"];
export const CONFLICT_POLICIES = [
  "rename-new",
  "skip",
  "keep-both",
] as const satisfies OrganizeSettings["conflict"][];
export type OrganizeRule = Schemas["OrganizeRule"];
export type RuleFilters = Schemas["OrganizeRuleFilters"];
export const RULE_ACTIONS = [
  "move",
  "copy",
  "tag",
  "trash",
  "keep",
] as const satisfies OrganizeRule["action"]["type"][];
export type RuleList = Schemas["OrganizeRules"];
export type RulesPreview = Schemas["OrganizeRulesPreview"];

// ---- Errors ----
export type FieldProblem = NonNullable<Schemas["Problem"]["errors"]>[number];
/** A problem answer; one that never reached the API (a network error, a proxy) has only `status`. */
export type Problem = Partial<Schemas["Problem"]> & { status: number };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  readonly retryAfter: number | null;
  constructor(problem: Problem, retryAfter: number | null) {
    super(humanMessage(problem, retryAfter));
    this.status = problem.status;
    this.code = problem.code ?? `http_${problem.status}`;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  /** Field problems by field name (first message wins). */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const key = e.path.split(".")[0] ?? e.path;
      out[key] ??= e.message;
    }
    return out;
  }
}

function humanMessage(p: Problem, retryAfter: number | null): string {
  if (p.status === 429) {
    const wait = retryAfter ? ` Try again in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.` : "";
    return `Too many requests.${wait}`;
  }
  const base = p.detail || p.title || `Request failed (${p.status}).`;
  return p.requestId && p.status >= 500 ? `${base} (request ${p.requestId})` : base;
}

// ---- Calls ----
type Query = Record<string, string | number | boolean | undefined | null>;
export interface CallOptions {
  params?: Record<string, string | number>;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export function url(name: RouteName, params: Record<string, string | number> = {}, query?: Query): string {
  const [, template] = ROUTES[name];
  const path = template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`Missing path parameter ${k} for ${name}`);
    return encodeURIComponent(String(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  }
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ""}`;
}

/** Listeners told when any call answers 401 (the session ended elsewhere). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** An error answer as ApiError; `body` is its parsed JSON when it had any. */
function problemError(res: Response, body: unknown): ApiError {
  const problem: Problem =
    body && typeof body === "object" ? { ...(body as Problem), status: res.status } : { status: res.status };
  const ra = Number(res.headers.get("Retry-After"));
  return new ApiError(problem, Number.isFinite(ra) && ra > 0 ? Math.ceil(ra) : null);
}

async function toError(res: Response): Promise<ApiError> {
  return problemError(res, await res.json().catch(() => null));
}

/** The generated client: paths, parameters and bodies as the OpenAPI document has them. */
export const client = createClient<paths>({ baseUrl: API_BASE, credentials: "same-origin" });

type Method = Lowercase<(typeof ROUTES)[RouteName][0]>;

/** Changes are retried safely with a key; signing in and up are not deduplicated. */
const wantsIdempotencyKey = (name: RouteName, method: string) =>
  method !== "GET" && method !== "DELETE" && name !== "login" && name !== "register";

/** The query without its empty parameters (undefined, null, ""). */
function presentOnly(q: Query): Query {
  const out: Query = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") out[k] = v;
  return out;
}

export async function call<T>(name: RouteName, opts: CallOptions = {}): Promise<T> {
  const [method, path] = ROUTES[name];
  const headers: Record<string, string> = { Accept: "application/json" };
  if (wantsIdempotencyKey(name, method)) headers["Idempotency-Key"] = crypto.randomUUID();
  const query = presentOnly(opts.query ?? {});
  // A table-driven call: each route's path is checked against the document where ROUTES is declared.
  const { data, error, response } = await client.request(
    method.toLowerCase() as Method,
    path as never,
    {
      params: { path: opts.params, query },
      body: opts.body,
      headers,
      signal: opts.signal,
      parseAs: "text",
    } as never,
  );
  if (!response.ok) {
    // a wrong password at login, or /me probing for a session, is no session ending
    if (response.status === 401 && name !== "login" && name !== "me") {
      for (const fn of unauthorizedListeners) fn();
    }
    throw problemError(response, error);
  }
  if (response.status === 204) return undefined as T;
  const text = String(data ?? "");
  return ((response.headers.get("Content-Type") ?? "").includes("json") ? JSON.parse(text) : text) as T;
}

/** GET returning text (SVG, CSV, HTML report). */
export async function getText(name: RouteName, params: Record<string, string>, query?: Query) {
  const res = await fetch(url(name, params, query), { credentials: "same-origin" });
  if (!res.ok) throw await toError(res);
  return res.text();
}

// ---- Uploads with progress (XHR: fetch has no upload progress) ----
export interface UploadHandle {
  promise: Promise<Uploaded>;
  abort: () => void;
  /** Big files (tus): stop sending, and carry on later from where the server is. */
  pause?: () => void;
  resume?: () => void;
}

function xhrSend<T>(
  method: string,
  target: string,
  body: XMLHttpRequestBodyInit,
  onProgress: (loaded: number) => void,
  register: (x: XMLHttpRequest) => void,
  contentType?: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open(method, target);
    xhr.setRequestHeader("Accept", "application/json");
    if (contentType) xhr.setRequestHeader("Content-Type", contentType);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      const text = xhr.responseText;
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {}
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const problem = { ...(json as Problem | null), status: xhr.status };
      const ra = Number(xhr.getResponseHeader("Retry-After"));
      reject(new ApiError(problem, ra > 0 ? ra : null));
    };
    xhr.onerror = () => reject(new Error("Network error: the upload did not reach the server."));
    xhr.onabort = () => reject(new Error("Cancelled."));
    xhr.send(body);
  });
}

/** Files above this go through tus (resumable, pausable); smaller ones in one request. */
export const RESUMABLE_THRESHOLD = 32 * 1024 * 1024;
/** A tus PATCH's size: one R2 part's worth (the server buffers to 5 MiB parts). */
const TUS_CHUNK_BYTES = 8 * 1024 * 1024;

export function uploadFile(
  file: File,
  folder: string,
  onProgress: (loaded: number, total: number) => void,
  onConflict: OnConflict = "rename",
): UploadHandle {
  let current: XMLHttpRequest | null = null;
  let aborted = false;
  const register = (x: XMLHttpRequest) => {
    current = x;
  };
  const single = async () => {
    const form = new FormData();
    if (folder && folder !== "/") form.append("folder", folder);
    form.append("onConflict", onConflict);
    form.append("file", file, file.name);
    const res = await xhrSend<Uploaded>(
      "POST",
      url("upload"),
      form,
      (l) => onProgress(Math.min(l, file.size), file.size),
      register,
    );
    onProgress(file.size, file.size);
    return res;
  };
  // Big files go through tus (/api/v1/tus): resumable after a dropped connection, and pausable.
  let tus: TusUpload | null = null;
  const resumable = () =>
    new Promise<Uploaded>((resolve, reject) => {
      let mediaId: string | null = null;
      let conflict: string | null = null;
      tus = new TusUpload(file, {
        endpoint: `${API_BASE}/tus`,
        chunkSize: TUS_CHUNK_BYTES,
        retryDelays: [0, 1000, 3000, 5000, 10000],
        metadata: {
          filename: file.name,
          filetype: file.type,
          onConflict,
          ...(folder && folder !== "/" ? { folder } : {}),
        },
        onProgress: (loaded) => onProgress(loaded, file.size),
        onAfterResponse: (_req, res) => {
          mediaId = res.getHeader("Edgecraft-Media-Id") ?? mediaId;
          conflict = res.getHeader("Edgecraft-Conflict") ?? conflict;
        },
        onError: (e) => reject(aborted ? new Error("Cancelled.") : e),
        onSuccess: () => {
          if (!mediaId) return reject(new Error("The upload finished without a file."));
          call<{ media: Media }>("mediaOne", { params: { id: mediaId } }).then(({ media }) => {
            const resolution = conflict as NonNullable<Uploaded["conflict"]>["resolution"] | null;
            resolve({ media, ...(resolution ? { conflict: { resolution, existingId: media.id } } : {}) });
          }, reject);
        },
      });
      tus.start();
    });
  const stop = () => {
    aborted = true;
    current?.abort();
    // Terminate: the server drops what it has of this upload.
    (tus as TusUpload | null)?.abort(true).catch(() => {});
  };
  if (file.size <= RESUMABLE_THRESHOLD) return { promise: single(), abort: stop };
  return {
    promise: resumable(),
    abort: stop,
    pause: () => (tus as TusUpload | null)?.abort(false),
    resume: () => (tus as TusUpload | null)?.start(),
  };
}

// ---- Job watching: WebSocket first, polling as the fallback ----
export interface JobWatch {
  stop: () => void;
}
const TERMINAL = new Set<JobStatus>(["succeeded", "failed", "cancelled"]);
export const isTerminal = (s: JobStatus) => TERMINAL.has(s);

export function watchJob(
  id: string,
  onUpdate: (u: { progress?: Progress; job?: Job; via: "ws" | "poll" }) => void,
): JobWatch {
  let stopped = false;
  let ws: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const poll = async () => {
    if (stopped || finished) return;
    try {
      const { job } = await call<{ job: Job }>("job", { params: { id } });
      if (stopped) return;
      onUpdate({ job, progress: job.progress, via: "poll" });
      if (isTerminal(job.status)) {
        finished = true;
        return;
      }
    } catch {}
    timer = setTimeout(poll, 1000);
  };

  try {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}${url("jobWs", { id })}`);
    ws.onmessage = (ev) => {
      try {
        const msg = JSON.parse(String(ev.data)) as { type: string; job?: Job } & Partial<Progress>;
        if (msg.type === "progress") {
          onUpdate({
            progress: {
              stage: msg.stage ?? "",
              done: msg.done ?? 0,
              total: msg.total ?? 0,
              percent: msg.percent ?? 0,
              unit: msg.unit,
              bytesDone: msg.bytesDone,
              bytesTotal: msg.bytesTotal,
            },
            via: "ws",
          });
        } else if (msg.job) {
          finished = true;
          onUpdate({ job: msg.job, progress: msg.job.progress, via: "ws" });
        }
      } catch {}
    };
    ws.onclose = () => {
      if (!finished && !stopped) poll();
    };
    ws.onerror = () => {};
  } catch {
    poll();
  }
  // Belt and braces: a slow poll even while the socket is open, in case a message is lost.
  const slow = setInterval(() => {
    if (!finished && !stopped && ws?.readyState !== WebSocket.OPEN) return;
    if (!finished && !stopped) {
      call<{ job: Job }>("job", { params: { id } })
        .then(({ job }) => {
          if (!stopped && isTerminal(job.status) && !finished) {
            finished = true;
            onUpdate({ job, progress: job.progress, via: "poll" });
          }
        })
        .catch(() => {});
    }
  }, 5000);

  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(slow);
      ws?.close();
    },
  };
}

// ---- Formatting ----
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
