import { useState } from "preact/hooks";
import {
  call,
  DUPLICATE_MODES,
  type FolderNode,
  isTerminal,
  KEEP_POLICIES,
  MATCH_KINDS,
  type MatchKind,
  type OrganizeRequest,
  PLAN_KINDS,
} from "../api";
import { Empty, ErrorBox, navigate, Select, Tabs, useLoad } from "../ui";
import { JobPanel, useOrganizeJob } from "./organizer/OrganizeJob";
import { MATCH_LABELS } from "./organizer/Plan";
import { RulesPanel } from "./organizer/Rules";
import { SettingsPanel } from "./organizer/Settings";

const TABS = { plan: "Plan", rules: "Rules", settings: "Settings" } as const;
type Tab = keyof typeof TABS;
const KIND_LABELS: Record<(typeof PLAN_KINDS)[number], string> = {
  organize: "Organize by your rules",
  dedupe: "Only handle duplicates",
};
const DUPLICATE_LABELS: Record<(typeof DUPLICATE_MODES)[number], string> = {
  report: "Only report them",
  move: "Move extra copies aside",
  trash: "Move extra copies to trash",
  stack: "Stack them (keep all, show one)",
};
const KEEP_LABELS: Record<(typeof KEEP_POLICIES)[number], string> = {
  oldest: "the oldest copy",
  newest: "the newest copy",
  "largest-resolution": "the largest picture",
  "shortest-path": "the copy with the shortest path",
  protected: "the copy in a protected folder",
};

function flatten(node: FolderNode | undefined, out: string[] = []): string[] {
  if (!node) return out;
  out.push(node.path);
  for (const c of node.children) flatten(c, out);
  return out;
}

function FolderSelect(props: {
  label: string;
  root: FolderNode | undefined;
  value: string;
  onValue: (v: string) => void;
}) {
  return (
    <Select
      label={props.label}
      value={props.value}
      onValue={props.onValue}
      options={flatten(props.root).map((p) => ({ value: p, label: p === "/" ? "All files (/)" : p }))}
    />
  );
}

export function OrganizerScreen({ query }: { query: URLSearchParams }) {
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), []);
  const [folder, setFolder] = useState("/");
  // Held here, not in the plan tab, so the job and the form's choices survive a visit to another tab.
  const [settings, setSettings] = useState<PlanSettings>(DEFAULT_SETTINGS);
  const organize = useOrganizeJob(query.get("job"), (id) => `/organize?job=${id}`);
  const tab: Tab = (query.get("tab") as Tab | null) ?? "plan";
  const root = tree.data?.root;
  const job = organize.job;

  return (
    <div class="page page-wide">
      <h1>Organizer</h1>
      <p class="muted">
        Sorts a folder by your rules and finds duplicates. A dry run only makes a plan; nothing moves until
        you apply it, and every applied plan can be rolled back.
      </p>
      <Tabs
        label="Organizer sections"
        tabs={TABS}
        current={tab}
        onTab={(t) =>
          navigate(t === "plan" ? `/organize${job ? `?job=${job.id}` : ""}` : `/organize?tab=${t}`)
        }
      />
      {tab === "rules" ? (
        <div role="tabpanel">
          <FolderSelect label="Preview on folder" root={root} value={folder} onValue={setFolder} />
          <RulesPanel folder={folder} />
        </div>
      ) : tab === "settings" ? (
        <div role="tabpanel">
          <SettingsPanel />
        </div>
      ) : (
        <div role="tabpanel">
          {organize.missing ? (
            <div class="error-box" role="alert">
              The organizer API is not available on this server yet.
            </div>
          ) : null}
          <section class="panel">
            <PlanForm
              root={root}
              folder={folder}
              setFolder={setFolder}
              settings={settings}
              setSettings={setSettings}
              busy={!!job && !isTerminal(job.status)}
              onRun={(body) => organize.run("organize", body)}
            />
            <ErrorBox error={organize.error} />
          </section>
          {job ? (
            <JobPanel job={job} progress={organize.progress} version={organize.version} run={organize.run} />
          ) : (
            <Empty title="No plan yet">
              <p>Choose a folder and run a dry run to see what would change.</p>
            </Empty>
          )}
        </div>
      )}
    </div>
  );
}

interface PlanSettings {
  kind: (typeof PLAN_KINDS)[number];
  match: MatchKind;
  threshold: string;
  duplicates: (typeof DUPLICATE_MODES)[number];
  keep: (typeof KEEP_POLICIES)[number];
}
const DEFAULT_SETTINGS: PlanSettings = {
  kind: "organize",
  match: "bytes",
  threshold: "12",
  duplicates: "report",
  keep: "oldest",
};

/** The dry run's settings; `onRun` gets the organize request they make. */
function PlanForm(props: {
  root: FolderNode | undefined;
  folder: string;
  setFolder: (f: string) => void;
  settings: PlanSettings;
  setSettings: (s: PlanSettings) => void;
  busy: boolean;
  onRun: (body: OrganizeRequest) => void;
}) {
  const { kind, match, threshold, duplicates, keep } = props.settings;
  const set =
    <K extends keyof PlanSettings>(key: K) =>
    (value: PlanSettings[K]) =>
      props.setSettings({ ...props.settings, [key]: value });
  const similar = match === "similar";

  return (
    <form
      class="org-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onRun({
          folder: props.folder,
          dryRun: true,
          kind,
          match,
          ...(similar ? { threshold: Number(threshold) } : {}),
          duplicates,
          keep,
        });
      }}
    >
      <FolderSelect label="Folder" root={props.root} value={props.folder} onValue={props.setFolder} />
      <Select
        label="Plan"
        value={kind}
        onValue={set("kind")}
        options={PLAN_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
      />
      <Select
        label="Duplicates are"
        value={match}
        onValue={set("match")}
        options={MATCH_KINDS.map((m) => ({ value: m, label: MATCH_LABELS[m] }))}
      />
      {similar ? (
        <label>
          Within (bits)
          <input
            type="number"
            min={0}
            max={12}
            value={threshold}
            onInput={(e) => set("threshold")((e.target as HTMLInputElement).value)}
          />
        </label>
      ) : null}
      <Select
        label="Extra copies"
        value={duplicates}
        onValue={set("duplicates")}
        options={DUPLICATE_MODES.map((d) => ({ value: d, label: DUPLICATE_LABELS[d] }))}
      />
      <Select
        label="Keep"
        value={keep}
        onValue={set("keep")}
        options={KEEP_POLICIES.map((k) => ({ value: k, label: KEEP_LABELS[k] }))}
      />
      <button type="submit" class="btn btn-primary" disabled={props.busy}>
        Run dry run
      </button>
    </form>
  );
}
