import { useEffect, useState } from "preact/hooks";
import {
  call,
  formatBytes,
  type OrganizeRule,
  RULE_ACTIONS,
  type RuleFilters,
  type RuleList,
  type RulesPreview,
} from "../../api";
import { ErrorBox, Select, TextField, toast, useLoad } from "../../ui";

/**
 * The rules editor: an ordered list (first match wins), each rule's common filters and its action,
 * with live counts from POST /organize/rules/preview as you edit. Filters this form has no field for
 * (types, dates, tag sets, regular expressions) are kept as they are and named under the rule.
 */

const PREVIEW_DELAY_MS = 400;
const list = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
const join = (values?: string[]) => (values ?? []).join(", ");
const newRuleId = () => `rule-${Math.random().toString(36).slice(2, 10)}`;
/** Drops empty filters so a cleared field means "any file". */
function withFilter<K extends keyof RuleFilters>(filters: RuleFilters, key: K, value: RuleFilters[K]) {
  const next = { ...filters };
  const empty =
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && !Object.keys(value).length);
  if (empty) delete next[key];
  else next[key] = value;
  return next;
}
const KB = 1024;
const kb = (bytes?: number) => (bytes === undefined ? "" : String(Math.round(bytes / KB)));
const bytesOf = (text: string) =>
  text.trim() === "" || Number.isNaN(Number(text)) ? undefined : Math.round(Number(text) * KB);

export function RulesPanel({ folder }: { folder: string }) {
  const loaded = useLoad(() => call<RuleList>("organizeRules"), []);
  const [rules, setRules] = useState<OrganizeRule[] | null>(null);
  const [preview, setPreview] = useState<RulesPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (loaded.data) setRules(loaded.data.rules);
  }, [loaded.data]);

  // Live counts: the edited (unsaved) list, a moment after the last change.
  useEffect(() => {
    if (!rules) return;
    let live = true;
    const timer = setTimeout(() => {
      call<RulesPreview>("previewOrganizeRules", { body: { rules, folder } }).then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setPreviewError(null);
        },
        (e) => live && setPreviewError(e),
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rules, folder]);

  const change = (next: OrganizeRule[]) => {
    setRules(next);
    setDirty(true);
  };
  const update = (i: number, rule: OrganizeRule) => change(rules!.map((r, k) => (k === i ? rule : r)));
  const move = (i: number, by: number) => {
    const next = [...rules!];
    const [rule] = next.splice(i, 1);
    next.splice(i + by, 0, rule!);
    change(next);
  };
  const save = async () => {
    setError(null);
    try {
      const saved = await call<RuleList>("putOrganizeRules", { body: { rules } });
      setRules(saved.rules);
      setDirty(false);
      toast("Rules saved. Plans made from now on use them.", "ok");
    } catch (e) {
      setError(e);
    }
  };

  const counts = new Map(preview?.rules.map((r) => [r.id, r]) ?? []);
  return (
    <section class="panel" aria-labelledby="rules-h">
      <div class="row-between">
        <h2 id="rules-h">Rules</h2>
        <div class="btn-row">
          <button
            type="button"
            class="btn"
            onClick={() =>
              change([
                ...(rules ?? []),
                { id: newRuleId(), name: "New rule", enabled: true, filters: {}, action: { type: "move" } },
              ])
            }
          >
            Add rule
          </button>
          <button type="button" class="btn" onClick={() => loaded.data && change(loaded.data.defaults)}>
            Reset to defaults
          </button>
          <button type="button" class="btn btn-primary" disabled={!dirty} onClick={save}>
            Save rules
          </button>
        </div>
      </div>
      <p class="muted">
        The first enabled rule whose filters all hold decides what happens to a file.
        {loaded.data?.isDefault && !dirty
          ? " You have no rules of your own yet: these are the defaults."
          : ""}
      </p>
      <ErrorBox error={loaded.error ?? error ?? previewError} />
      <p class="hint" data-testid="rules-preview" aria-live="polite">
        {preview
          ? `Preview of ${preview.scanned} of ${preview.total} files in ${folder}${preview.sampled ? " (the first ones)" : ""}: ${preview.unmatched.files} match no rule.`
          : "Counting…"}
      </p>
      <ol class="rule-list" data-testid="rules">
        {(rules ?? []).map((rule, i) => {
          const count = rule.id ? counts.get(rule.id) : undefined;
          return (
            <li key={rule.id ?? i}>
              <details>
                <summary>
                  <strong>{rule.name}</strong> {rule.enabled === false ? "(off) " : ""}· {describe(rule)} ·{" "}
                  <span data-testid="rule-count">
                    {count ? `${count.files} files, ${formatBytes(count.bytes)}` : "–"}
                    {count?.protected ? ` (${count.protected} protected)` : ""}
                  </span>
                </summary>
                <RuleEditor rule={rule} onChange={(r) => update(i, r)} />
                <div class="btn-row">
                  <button type="button" class="btn" disabled={i === 0} onClick={() => move(i, -1)}>
                    Move up
                  </button>
                  <button
                    type="button"
                    class="btn"
                    disabled={i === (rules?.length ?? 0) - 1}
                    onClick={() => move(i, 1)}
                  >
                    Move down
                  </button>
                  <button
                    type="button"
                    class="btn btn-danger"
                    onClick={() => change(rules!.filter((_, k) => k !== i))}
                  >
                    Remove rule
                  </button>
                </div>
              </details>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function describe(rule: OrganizeRule): string {
  const a = rule.action;
  if (a.type === "move" || a.type === "copy") return `${a.type} → ${a.template ?? "the category's folder"}`;
  if (a.type === "tag") return `tag ${join(a.tag)}${a.untag?.length ? `, untag ${join(a.untag)}` : ""}`;
  return a.type;
}

type EditableAction = {
  type: OrganizeRule["action"]["type"];
  template?: string;
  tag?: string[];
  untag?: string[];
};

const OTHER_FILTERS: (keyof RuleFilters)[] = ["types", "uploaded", "taken", "tags"];

function RuleEditor({ rule, onChange }: { rule: OrganizeRule; onChange: (rule: OrganizeRule) => void }) {
  const f = rule.filters ?? {};
  const set = <K extends keyof RuleFilters>(key: K, value: RuleFilters[K]) =>
    onChange({ ...rule, filters: withFilter(f, key, value) });
  // Edited as one shape with every field; what is sent keeps only the fields of its type.
  const action = rule.action as EditableAction;
  const setAction = (patch: Partial<EditableAction>) => {
    const next: EditableAction = { ...action, ...patch };
    // Only the fields an action type has (the API refuses the others).
    const fields =
      { move: ["template", "tag", "untag"], copy: ["template"], tag: ["tag", "untag"] }[
        next.type as "move" | "copy" | "tag"
      ] ?? [];
    for (const k of ["template", "tag", "untag"] as const)
      if (!fields.includes(k) || next[k] === undefined || (Array.isArray(next[k]) && !next[k]!.length))
        delete next[k];
    onChange({ ...rule, action: next as OrganizeRule["action"] });
  };
  const nameKind = f.name && "regex" in f.name ? "regex" : "glob";
  const pattern = f.name ? ("regex" in f.name ? f.name.regex : f.name.glob) : "";
  const others = OTHER_FILTERS.filter((k) => f[k] !== undefined);
  return (
    <div class="rule-editor">
      <TextField label="Name" value={rule.name} onValue={(name) => onChange({ ...rule, name })} />
      <label class="check">
        <input
          type="checkbox"
          checked={rule.enabled !== false}
          onChange={(e) => onChange({ ...rule, enabled: (e.target as HTMLInputElement).checked })}
        />
        Enabled
      </label>
      <TextField
        label="Extensions"
        hint=".png, .jpg"
        value={join(f.extensions)}
        onValue={(v) => set("extensions", list(v))}
      />
      <TextField label="Categories" value={join(f.categories)} onValue={(v) => set("categories", list(v))} />
      <Select
        label="Name pattern kind"
        value={nameKind}
        onValue={(kind) =>
          set("name", pattern ? (kind === "regex" ? { regex: pattern } : { glob: pattern }) : undefined)
        }
        options={[
          { value: "glob", label: "glob (*.png)" },
          { value: "regex", label: "regular expression" },
        ]}
      />
      <TextField
        label="Name pattern"
        value={pattern}
        onValue={(v) =>
          set(
            "name",
            v
              ? f.name && "regex" in f.name
                ? { ...f.name, regex: v }
                : nameKind === "regex"
                  ? { regex: v }
                  : { glob: v }
              : undefined,
          )
        }
      />
      <TextField
        label="In folders"
        hint="/inbox, /camera"
        value={join(f.folders)}
        onValue={(v) => set("folders", list(v))}
      />
      <TextField
        label="At least (KB)"
        inputMode="numeric"
        value={kb(f.size?.min)}
        onValue={(v) => set("size", { ...f.size, min: bytesOf(v) })}
      />
      <TextField
        label="At most (KB)"
        inputMode="numeric"
        value={kb(f.size?.max)}
        onValue={(v) => set("size", { ...f.size, max: bytesOf(v) })}
      />
      <Select
        label="Duplicate status"
        value={f.duplicate ?? ""}
        onValue={(v) => set("duplicate", (v || undefined) as RuleFilters["duplicate"])}
        all="any file"
        options={[
          { value: "unique", label: "no duplicate" },
          { value: "original", label: "the copy kept" },
          { value: "copy", label: "a redundant copy" },
          { value: "any", label: "the kept or a redundant copy" },
        ]}
      />
      {others.length ? <p class="hint">Also filters by {others.join(", ")} (set through the API).</p> : null}
      <Select
        label="Action"
        value={action.type}
        onValue={(type) => setAction({ type })}
        options={RULE_ACTIONS.map((a) => ({ value: a, label: a }))}
      />
      {action.type === "move" || action.type === "copy" ? (
        <TextField
          label="To folder"
          hint="Empty: the category's folder. {category}, {yyyy}, {mm}, {ext}, {tag}, {taken.yyyy}, {taken.mm}"
          value={action.template ?? ""}
          onValue={(v) => setAction({ template: v || undefined })}
        />
      ) : null}
      {action.type === "move" || action.type === "tag" ? (
        <>
          <TextField label="Add tags" value={join(action.tag)} onValue={(v) => setAction({ tag: list(v) })} />
          <TextField
            label="Remove tags"
            value={join(action.untag)}
            onValue={(v) => setAction({ untag: list(v) })}
          />
        </>
      ) : null}
    </div>
  );
}
