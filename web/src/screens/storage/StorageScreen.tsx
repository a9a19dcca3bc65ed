import { useState } from "preact/hooks";
import { call, formatDate, isTerminal, type Page, type StorageConnection } from "../../api";
import { Empty, ErrorBox, navigate, TableHead, Tabs, TextField, toast, toastError, useLoad } from "../../ui";
import { JobPanel, useOrganizeJob } from "../organizer/OrganizeJob";
import { ConnectionForm } from "./ConnectionForm";
import { bucketPath, ExportForm, ImportForm, TransferPanel, useTransfer } from "./Transfers";

const TABS = { import: "Import", export: "Export", organize: "Organize in place" } as const;
type Tab = keyof typeof TABS;

/** The screen's address: the chosen connection, the tab, an in-place plan, files picked in the library. */
function storagePath(q: { connection?: string; tab?: Tab; plan?: string; files?: string }) {
  const s = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1])).toString();
  return `/storage${s ? `?${s}` : ""}`;
}

/**
 * S3-compatible buckets (AWS S3, Cloudflare R2, MinIO, …): register and check connections, import a
 * prefix into the library, export a folder or a selection, and organize a prefix in place with the
 * organizer's dry run, apply and rollback.
 */
export function StorageScreen({ query }: { query: URLSearchParams }) {
  const list = useLoad(
    () => call<Page<StorageConnection>>("storageConnections", { query: { limit: 100 } }),
    [],
  );
  const connections = list.data?.items ?? [];
  const [adding, setAdding] = useState(false);
  const chosenId = query.get("connection");
  const chosen = connections.find((c) => c.id === chosenId) ?? connections[0] ?? null;
  const files = query.get("files") ?? "";
  const go = (q: Parameters<typeof storagePath>[0]) =>
    navigate(storagePath({ connection: chosen?.id, tab: query.get("tab") as Tab | undefined, files, ...q }));

  return (
    <div class="page page-wide">
      <h1>Storage</h1>
      <p class="muted">
        Connect a bucket on any S3-compatible store (AWS S3, Cloudflare R2, MinIO…). Import its objects into
        your library, export files to it, or sort its objects where they are — with a dry run first and a
        rollback after.
      </p>
      <section class="panel" aria-labelledby="conn-h">
        <div class="row-between">
          <h2 id="conn-h">Connections</h2>
          {connections.length && !adding ? (
            <button type="button" class="btn" onClick={() => setAdding(true)}>
              Add connection
            </button>
          ) : null}
        </div>
        <ErrorBox error={list.error} />
        {adding || (list.data && !connections.length) ? (
          <ConnectionForm
            onAdded={(c) => {
              toast(`Connected to ${c.bucket}.`, "ok");
              setAdding(false);
              list.reload();
              go({ connection: c.id });
            }}
            onCancel={connections.length ? () => setAdding(false) : undefined}
          />
        ) : null}
        {connections.length ? (
          <ConnectionTable
            connections={connections}
            chosen={chosen}
            onChoose={(c) => go({ connection: c.id, plan: undefined })}
            reload={list.reload}
          />
        ) : null}
      </section>
      {chosen ? (
        <Workbench key={chosen.id} connection={chosen} query={query} files={files} go={go} />
      ) : list.data ? (
        <Empty title="No bucket connected yet">
          <p>Add a connection above; it is checked against the store before it is kept.</p>
        </Empty>
      ) : null}
    </div>
  );
}

function ConnectionTable(props: {
  connections: StorageConnection[];
  chosen: StorageConnection | null;
  onChoose: (c: StorageConnection) => void;
  reload: () => void;
}) {
  const test = (c: StorageConnection) =>
    call("testStorageConnection", { params: { id: c.id } }).then(() => {
      toast(`${c.bucket} answers: the connection works.`, "ok");
      props.reload();
    }, toastError);
  const remove = (c: StorageConnection) =>
    confirm(`Forget the connection to ${bucketPath(c)}? Nothing in the bucket changes.`) &&
    call("deleteStorageConnection", { params: { id: c.id } }).then(() => {
      toast("Connection removed.", "ok");
      props.reload();
    }, toastError);
  return (
    <div class="table-scroll">
      <table class="table" data-testid="storage-connections">
        <TableHead columns={["Bucket", "Endpoint", "Access key", "Last checked"]} actions />
        <tbody>
          {props.connections.map((c) => {
            const on = props.chosen?.id === c.id;
            return (
              <tr key={c.id} class={on ? "row-on" : ""}>
                <td>
                  <button
                    type="button"
                    class="linkish"
                    aria-pressed={on}
                    onClick={() => props.onChoose(c)}
                    title="Work with this bucket"
                  >
                    {bucketPath(c)}
                  </button>
                </td>
                <td class="ellipsis" title={`${c.endpoint} (${c.region})`}>
                  {c.endpoint}
                </td>
                <td>
                  <code>{c.accessKeyId}</code>
                </td>
                <td>{formatDate(c.lastCheckedAt)}</td>
                <td class="actions">
                  <button type="button" class="btn btn-sm" onClick={() => test(c)}>
                    Test
                  </button>
                  <button
                    type="button"
                    class="btn btn-sm btn-danger"
                    aria-label={`Delete the connection to ${bucketPath(c)}`}
                    onClick={() => remove(c)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** What can be done with the chosen connection: import, export, organize in place. */
function Workbench(props: {
  connection: StorageConnection;
  query: URLSearchParams;
  files: string;
  go: (q: Parameters<typeof storagePath>[0]) => void;
}) {
  const { connection, query, go } = props;
  const selection = props.files ? props.files.split(",").filter(Boolean) : [];
  const planId = query.get("plan");
  const tab: Tab =
    (query.get("tab") as Tab | null) ?? (planId ? "organize" : selection.length ? "export" : "import");
  const transfer = useTransfer();
  const busy = !!transfer.job && !isTerminal(transfer.job.status);

  return (
    <section class="panel" aria-labelledby="work-h">
      <h2 id="work-h">{bucketPath(connection)}</h2>
      <Tabs
        label="What to do with this bucket"
        tabs={TABS}
        current={tab}
        onTab={(t) => go({ tab: t, plan: planId ?? undefined })}
      />
      <div role="tabpanel" aria-label={TABS[tab]}>
        {tab === "import" ? (
          <ImportForm connection={connection} busy={busy} onJob={transfer.follow} />
        ) : tab === "export" ? (
          <ExportForm
            connection={connection}
            selection={selection}
            onClearSelection={() => go({ files: undefined, tab: "export" })}
            busy={busy}
            onJob={transfer.follow}
          />
        ) : (
          <InPlace connection={connection} planId={planId} go={go} />
        )}
      </div>
      {tab !== "organize" ? <TransferPanel transfer={transfer} /> : null}
    </section>
  );
}

/** Organize in place: a dry run over a prefix, then the organizer's plan view, apply and rollback. */
function InPlace(props: {
  connection: StorageConnection;
  planId: string | null;
  go: (q: Parameters<typeof storagePath>[0]) => void;
}) {
  const { connection } = props;
  const organize = useOrganizeJob(props.planId, (id) =>
    storagePath({ connection: connection.id, tab: "organize", plan: id }),
  );
  const [prefix, setPrefix] = useState("");
  const [error, setError] = useState<string | undefined>();
  const job = organize.job;
  const running = !!job && !isTerminal(job.status);
  return (
    <>
      <form
        class="storage-form"
        noValidate
        aria-label="Organize a prefix in place"
        onSubmit={(e) => {
          e.preventDefault();
          const p = prefix.trim();
          setError(
            p ? undefined : "Name the folder to sort, e.g. inbox/ (a whole bucket is not sorted at once).",
          );
          if (p)
            organize.run("organize", { source: { connectionId: connection.id, prefix: p }, dryRun: true });
        }}
      >
        <p class="hint storage-form-wide">
          Sorts the objects under a prefix by your organizer rules with server-side copies — nothing is
          downloaded. The dry run only plans; apply moves the objects; a rollback puts every key back.
          Duplicates can't be found in a bucket (an ETag is not a content hash): import the prefix for that.
        </p>
        <TextField
          label="Prefix to organize"
          placeholder="inbox/"
          hint={`Under ${bucketPath(connection)}.`}
          error={error}
          value={prefix}
          onValue={setPrefix}
        />
        <div class="btn-row storage-form-actions">
          <button type="submit" class="btn btn-primary" disabled={running}>
            Run dry run
          </button>
        </div>
      </form>
      <ErrorBox error={organize.error} />
      {job ? (
        <JobPanel
          job={job}
          progress={organize.progress}
          version={organize.version}
          run={organize.run}
          where={`Objects under ${bucketPath(connection)}`}
        />
      ) : null}
    </>
  );
}
