import type { ComponentChildren, JSX } from "preact";
import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call, formatBytes, type Me, type Progress } from "./api";

// ---- Router: history API, one path + query string ----
export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  dispatchEvent(new Event("edgecraft:navigate"));
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const read = () => ({ path: location.pathname, query: new URLSearchParams(location.search) });
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    addEventListener("popstate", update);
    addEventListener("edgecraft:navigate", update);
    return () => {
      removeEventListener("popstate", update);
      removeEventListener("edgecraft:navigate", update);
    };
  }, []);
  return loc;
}

export function Link(
  props: { href: string; children: ComponentChildren } & JSX.HTMLAttributes<HTMLAnchorElement>,
) {
  const { href, children, ...rest } = props;
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

// ---- Session context ----
export interface SessionCtx {
  me: Me | null;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}
export const Session = createContext<SessionCtx>({
  me: null,
  refresh: async () => {},
  signOut: async () => {},
});
export const useSession = () => useContext(Session);

// ---- Toasts ----
type Toast = { id: number; text: string; kind: "info" | "error" | "ok" };
let toastId = 0;
const toastListeners = new Set<(t: Toast[]) => void>();
let toasts: Toast[] = [];
export function toast(text: string, kind: Toast["kind"] = "info") {
  const t = { id: ++toastId, text, kind };
  toasts = [...toasts, t].slice(-4);
  for (const fn of toastListeners) fn(toasts);
  setTimeout(() => dismissToast(t.id), kind === "error" ? 8000 : 4000);
}
function dismissToast(id: number) {
  toasts = toasts.filter((x) => x.id !== id);
  for (const fn of toastListeners) fn(toasts);
}
export function toastError(e: unknown) {
  toast(e instanceof Error ? e.message : String(e), "error");
}
export function Toasts() {
  const [list, setList] = useState<Toast[]>(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => void toastListeners.delete(setList);
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span>{t.text}</span>
          <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// ---- Small components ----
export function Field(props: {
  label: string;
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useRef(`f${Math.random().toString(36).slice(2, 8)}`).current;
  const describedBy = props.error ? `${id}-err` : props.hint ? `${id}-hint` : undefined;
  return (
    <div class={`field${props.error ? " has-error" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.error ? (
        <p class="field-error" id={`${id}-err`} role="alert">
          {props.error}
        </p>
      ) : props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled text input bound to a string; other input attributes pass through. */
export function TextField(
  props: {
    label: string;
    error?: string;
    hint?: string;
    value: string;
    onValue: (value: string) => void;
  } & Omit<JSX.InputHTMLAttributes, "label" | "value" | "onInput">,
) {
  const { label, error, hint, value, onValue, ...input } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <input
          {...input}
          id={id}
          aria-describedby={describedBy}
          value={value}
          onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

/** A row of tabs (the admin's and the organizer's sections): the current one marked, `onTab` on a click. */
/** Where each key moves the selection in a tab list (WAI-ARIA tabs, automatic activation). */
const TAB_KEYS: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
};

/**
 * A tab list: one tab stop (the selected tab); arrow keys, Home and End move to another tab and
 * select it, as screen-reader and keyboard users expect of `role="tablist"`.
 */
export function Tabs<T extends string>(props: {
  label: string;
  tabs: Record<T, string>;
  current: T;
  onTab: (tab: T) => void;
}) {
  const keys = Object.keys(props.tabs) as T[];
  const onKeyDown = (event: KeyboardEvent) => {
    const move = TAB_KEYS[event.key];
    if (!move) return;
    event.preventDefault();
    const next = move(keys.indexOf(props.current), keys.length);
    props.onTab(keys[next]!);
    const buttons = (event.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role="tab"]');
    buttons[next]?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
      {keys.map((t) => (
        <button
          key={t}
          type="button"
          role="tab"
          aria-selected={props.current === t}
          tabIndex={props.current === t ? 0 : -1}
          class={props.current === t ? "on" : ""}
          onClick={() => props.onTab(t)}
        >
          {props.tabs[t]}
        </button>
      ))}
    </div>
  );
}

/** A fieldset of checkboxes choosing a subset of `options` (API key scopes, webhook events). */
export function CheckboxGroup<T extends string>(props: {
  legend: string;
  options: readonly T[];
  selected: readonly T[];
  onSelected: (selected: T[]) => void;
  error?: string;
}) {
  const { legend, options, selected, onSelected, error } = props;
  return (
    <fieldset class="scopes">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} class="check">
          <input
            type="checkbox"
            checked={selected.includes(option)}
            onChange={(e) =>
              onSelected(
                (e.target as HTMLInputElement).checked
                  ? [...selected, option]
                  : selected.filter((x) => x !== option),
              )
            }
          />
          {option}
        </label>
      ))}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/**
 * A <select> over string values; `all` adds a first, empty option that means "no filter",
 * `label` wraps it in a visible <label>.
 */
export function Select<T extends string>(props: {
  value: T;
  onValue: (value: T) => void;
  options: readonly (T | { value: T; label: string })[];
  all?: string;
  label?: string;
  "aria-label"?: string;
}) {
  const select = (
    <select
      aria-label={props["aria-label"]}
      value={props.value}
      onChange={(e) => props.onValue((e.target as HTMLSelectElement).value as T)}
    >
      {props.all !== undefined ? <option value="">{props.all}</option> : null}
      {props.options.map((o) => {
        const { value, label } = typeof o === "string" ? { value: o, label: o } : o;
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </select>
  );
  return props.label === undefined ? (
    select
  ) : (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `select`, which the rule cannot see through
    <label>
      {props.label}
      {select}
    </label>
  );
}

/** A table's header row; `actions` adds a last column whose title only screen readers hear. */
export function TableHead(props: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        {props.actions ? (
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}

/**
 * A table row's action buttons, in the column `TableHead` gives `actions`. Each button's accessible
 * name ends with `name`, the row it acts on ("Delete Weekly digest"), so a screen reader tells them apart.
 */
export function RowActions(props: { name: string; actions: { label: string; onClick: () => void }[] }) {
  return (
    <td class="actions">
      {props.actions.map((a) => (
        <button key={a.label} type="button" class="btn btn-sm" onClick={a.onClick}>
          {a.label}
          <span class="sr-only"> {props.name}</span>
        </button>
      ))}
    </td>
  );
}

/** The one row of a table with no rows yet, across all `columns`. */
export function EmptyRow(props: { columns: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={props.columns} class="muted">
        {props.children}
      </td>
    </tr>
  );
}

/** The centred button under a paged list that fetches the next page. */
export function MoreButton(props: { onClick: () => void; disabled?: boolean; children: ComponentChildren }) {
  return (
    <div class="center">
      <button type="button" class="btn" disabled={props.disabled} onClick={props.onClick}>
        {props.children}
      </button>
    </div>
  );
}

export function ProgressBar(props: { value: number; label: string; status?: string }) {
  const v = Math.max(0, Math.min(100, Math.round(props.value)));
  return (
    <div class="progress-wrap">
      <div
        class={`progress ${props.status ? `progress-${props.status}` : ""}`}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={v}
      >
        <div class="progress-fill" style={{ width: `${v}%` }} />
      </div>
      <span class="progress-num">{v}%</span>
    </div>
  );
}

/** A job's progress bar: a succeeded job always reads 100%. */
export function JobProgress(props: { status: string; percent: number; label: string }) {
  return (
    <ProgressBar
      value={props.status === "succeeded" ? 100 : props.percent}
      label={props.label}
      status={props.status}
    />
  );
}

/** "scan · 1,200 / 5,000 files · 3 MB / 12 MB" — files and bytes when the job counts them. */
export function progressText(p: Progress | null): string {
  if (!p?.total) return p?.stage ?? "";
  const unit = p.unit ? ` ${p.unit}` : "";
  const bytes = p.bytesTotal ? ` · ${formatBytes(p.bytesDone ?? 0)} / ${formatBytes(p.bytesTotal)}` : "";
  return `${p.stage} · ${p.done.toLocaleString("en")} / ${p.total.toLocaleString("en")}${unit}${bytes}`;
}

/** Asks the server to cancel a running job (its page follows the job and shows the outcome). */
export function CancelJobButton({ jobId }: { jobId: string }) {
  return (
    <button
      type="button"
      class="btn"
      onClick={() => call("cancelJob", { params: { id: jobId } }).catch(toastError)}
    >
      Cancel
    </button>
  );
}

/** A big number with a caption under it (dashboards). */
export function Stat(props: { value: ComponentChildren; label: string; testId?: string }) {
  return (
    <div class="stat" data-testid={props.testId}>
      <span class="stat-num">{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </div>
  );
}

/** One bar of a `BarChart`: its caption, the value its length shows, and what is written beside it. */
export interface Bar {
  key: string;
  label: string;
  value: number;
  /** Written beside the bar and read out (default: the value). */
  figure?: string;
  /** A `bar-…` colour class (e.g. a job status). */
  tone?: string;
}

/**
 * Horizontal bars, each as long as its value against the largest. Assistive technology gets one
 * image named `label` with every bar's caption and figure, not a list of empty spans.
 */
export function BarChart(props: {
  label: string;
  bars: Bar[];
  testId?: string;
  children?: ComponentChildren;
}) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const figure = (b: Bar) => b.figure ?? String(b.value);
  return (
    <div
      class="chart"
      role="img"
      aria-label={`${props.label}: ${props.bars.map((b) => `${b.label} ${figure(b)}`).join(", ") || "none"}`}
      data-testid={props.testId}
    >
      {props.bars.map((b) => (
        <div key={b.key} class="bar-row">
          <span class="bar-label">{b.label}</span>
          <span class={b.tone ? `bar bar-${b.tone}` : "bar"} style={{ width: `${(b.value / max) * 100}%` }} />
          <span class="bar-num">{figure(b)}</span>
        </div>
      ))}
      {props.children}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children}
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

/** A modal dialog on <dialog>, so focus and Escape are handled by the browser. */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-label={props.title} onClose={props.onClose} class="dialog">
      {props.open ? (
        <>
          <h2>{props.title}</h2>
          {props.children}
        </>
      ) : null}
    </dialog>
  );
}

/** Runs an async loader; keeps the last data while reloading so nothing jumps. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function fieldErrors(e: unknown): Record<string, string> {
  return e instanceof ApiError ? e.fields() : {};
}

/** Shows a failed form submit: per-field messages where the server gave them, else a toast. */
export function showFormError(e: unknown, setErrors: (errors: Record<string, string>) => void) {
  const f = fieldErrors(e);
  setErrors(f);
  if (!Object.keys(f).length) toastError(e);
}

export function copy(text: string) {
  navigator.clipboard?.writeText(text).then(
    () => toast("Copied to the clipboard.", "ok"),
    () => toast("Could not copy; select the text and copy it.", "error"),
  );
}

/** A secret the server shows once (an API key, a webhook's signing secret): copy it, then dismiss it. */
export function ShownOnce(props: {
  secret: string;
  label: string;
  message: string;
  testId: string;
  onDone: () => void;
}) {
  return (
    <div class="secret" role="status" data-testid={props.testId}>
      <strong>{props.message}</strong>
      <input readOnly aria-label={props.label} value={props.secret} />
      <button type="button" class="btn" onClick={() => copy(props.secret)}>
        Copy
      </button>
      <button type="button" class="btn btn-ghost" onClick={props.onDone}>
        Done
      </button>
    </div>
  );
}
