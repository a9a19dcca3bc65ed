import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  call,
  type FolderNode,
  formatBytes,
  formatDate,
  type Media,
  type Page,
  type Share,
  type UploadHandle,
  uploadFile,
  url,
} from "../api";
import {
  copy,
  Empty,
  ErrorBox,
  MoreButton,
  navigate,
  ProgressBar,
  Select,
  showFormError,
  TextField,
  toast,
  toastError,
  useLoad,
} from "../ui";

const KINDS = ["image", "video", "audio", "document", "archive", "text", "other"];
const SORTS = [
  { value: "-date", label: "Newest first" },
  { value: "date", label: "Oldest first" },
  { value: "name", label: "Name A–Z" },
  { value: "-name", label: "Name Z–A" },
  { value: "-size", label: "Largest first" },
  { value: "size", label: "Smallest first" },
];

interface UploadItem {
  key: number;
  name: string;
  size: number;
  loaded: number;
  status: "queued" | "uploading" | "done" | "failed";
  error?: string;
  handle?: UploadHandle;
}

let uploadKey = 0;

export function LibraryScreen() {
  const [folder, setFolder] = useState("/");
  const [trash, setTrash] = useState(false);
  const [q, setQ] = useState("");
  const [qDebounced, setQDebounced] = useState("");
  const [type, setType] = useState("");
  const [tag, setTag] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sort, setSort] = useState("-date");
  const [view, setView] = useState<"grid" | "list">(
    (localStorage.getItem("edgecraft:view") as "grid" | "list" | null) ?? "grid",
  );
  const [items, setItems] = useState<Media[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [detailId, setDetailId] = useState<string | null>(null);
  const [uploads, setUploads] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [version, setVersion] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), [version]);

  useEffect(() => {
    const t = setTimeout(() => setQDebounced(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  const query = useMemo(
    () => ({
      q: qDebounced || undefined,
      type: type || undefined,
      tag: tag.trim() || undefined,
      from: from ? new Date(from).toISOString() : undefined,
      to: to ? new Date(new Date(to).getTime() + 86_400_000).toISOString() : undefined,
      sort,
      folder: trash || folder === "/" ? undefined : folder,
      trashed: trash ? "true" : undefined,
      limit: 60,
    }),
    [qDebounced, type, tag, from, to, sort, folder, trash],
  );

  const fetchPage = async (after: string | null) => {
    setLoading(true);
    try {
      const page = await call<Page<Media>>("media", { query: { ...query, cursor: after } });
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    fetchPage(null);
  }, [query, version]);

  useEffect(() => setSelected(new Set()), [query]);

  const refreshAll = () => setVersion((v) => v + 1);

  // ---- Uploads ----
  const startUploads = (files: File[]) => {
    if (!files.length) return;
    const target = trash ? "/" : folder;
    const fresh: UploadItem[] = files.map((f) => ({
      key: ++uploadKey,
      name: f.name,
      size: f.size,
      loaded: 0,
      status: "queued",
    }));
    setUploads((u) => [...u.filter((x) => x.status !== "done"), ...fresh]);
    const update = (key: number, patch: Partial<UploadItem>) =>
      setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)));
    // Three at a time: fast, without starving the rest of the page.
    let next = 0;
    let finished = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        const item = fresh[i]!;
        const handle = uploadFile(file, target, (loaded) => update(item.key, { loaded }));
        update(item.key, { status: "uploading", handle });
        try {
          await handle.promise;
          update(item.key, { status: "done", loaded: file.size });
        } catch (e) {
          update(item.key, { status: "failed", error: e instanceof Error ? e.message : String(e) });
        }
        finished++;
        if (finished === files.length) refreshAll();
      }
    };
    for (let w = 0; w < Math.min(3, files.length); w++) worker();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    startUploads(files);
  };

  // ---- Selection and bulk actions ----
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const [bulkMode, setBulkMode] = useState<null | "move" | "tag">(null);
  const [bulkValue, setBulkValue] = useState("");
  const bulk = async (action: string, extra: Record<string, unknown> = {}) => {
    try {
      const { updated } = await call<{ updated: number }>("bulk", {
        body: { ids: [...selected], action, ...extra },
      });
      toast(`${updated} file${updated === 1 ? "" : "s"} updated.`, "ok");
      setSelected(new Set());
      setBulkMode(null);
      setBulkValue("");
      refreshAll();
    } catch (e) {
      toastError(e);
    }
  };

  const totalUpload = uploads.reduce((a, u) => a + u.size, 0);
  const loadedUpload = uploads.reduce((a, u) => a + (u.status === "done" ? u.size : u.loaded), 0);
  const activeUploads = uploads.filter((u) => u.status === "uploading" || u.status === "queued").length;
  const failedUploads = uploads.filter((u) => u.status === "failed").length;

  return (
    <div class="library">
      <aside class="sidebar" aria-label="Folders">
        <h2 class="sidebar-title">Folders</h2>
        <ul class="tree">
          <FolderItem
            node={tree.data?.root ?? null}
            current={trash ? null : folder}
            onPick={(p) => {
              setTrash(false);
              setFolder(p);
            }}
            depth={0}
          />
        </ul>
        <button
          type="button"
          class={`tree-item trash-link${trash ? " active" : ""}`}
          aria-pressed={trash}
          onClick={() => setTrash(true)}
        >
          Trash
        </button>
      </aside>

      <section
        class={`library-main${dragging ? " dragging" : ""}`}
        data-testid="dropzone"
        aria-label="Files"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <div class="toolbar">
          <h1 class="toolbar-title">{trash ? "Trash" : folder === "/" ? "All files" : folder}</h1>
          <div class="toolbar-actions">
            <fieldset class="seg">
              <legend class="sr-only">View</legend>
              <button
                type="button"
                class={view === "grid" ? "on" : ""}
                aria-pressed={view === "grid"}
                onClick={() => {
                  setView("grid");
                  localStorage.setItem("edgecraft:view", "grid");
                }}
              >
                Grid
              </button>
              <button
                type="button"
                class={view === "list" ? "on" : ""}
                aria-pressed={view === "list"}
                onClick={() => {
                  setView("list");
                  localStorage.setItem("edgecraft:view", "list");
                }}
              >
                List
              </button>
            </fieldset>
            {!trash ? (
              <button type="button" class="btn btn-primary" onClick={() => fileInput.current?.click()}>
                Upload files
              </button>
            ) : null}
            <input
              ref={fileInput}
              type="file"
              multiple
              class="sr-only"
              aria-label="Choose files to upload"
              data-testid="file-input"
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                startUploads([...(input.files ?? [])]);
                input.value = "";
              }}
            />
          </div>
        </div>

        <div class="filters">
          <input
            type="search"
            placeholder="Search names and tags"
            aria-label="Search"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          />
          <Select aria-label="Type" value={type} onValue={setType} all="All types" options={KINDS} />
          <input
            aria-label="Tag"
            placeholder="Tag"
            value={tag}
            onChange={(e) => setTag((e.target as HTMLInputElement).value)}
          />
          <input
            type="date"
            aria-label="From date"
            value={from}
            onChange={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
          <input
            type="date"
            aria-label="To date"
            value={to}
            onChange={(e) => setTo((e.target as HTMLInputElement).value)}
          />
          <Select aria-label="Sort" value={sort} onValue={setSort} options={SORTS} />
        </div>

        {uploads.length ? (
          <section class="uploads" aria-label="Uploads" data-testid="uploads">
            <div class="uploads-head">
              <strong>
                {activeUploads
                  ? `Uploading ${activeUploads} file${activeUploads === 1 ? "" : "s"}`
                  : failedUploads
                    ? `${failedUploads} upload${failedUploads === 1 ? "" : "s"} failed`
                    : "Uploads complete"}
              </strong>
              <ProgressBar
                value={totalUpload ? (loadedUpload / totalUpload) * 100 : 100}
                label="Overall upload progress"
              />
              {!activeUploads ? (
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => setUploads([])}>
                  Clear
                </button>
              ) : null}
            </div>
            <ul class="upload-list">
              {uploads.map((u) => (
                <li key={u.key} class={`upload-row upload-${u.status}`}>
                  <span class="upload-name" title={u.name}>
                    {u.name}
                  </span>
                  <span class="muted">{formatBytes(u.size)}</span>
                  <ProgressBar
                    value={u.status === "done" ? 100 : u.size ? (u.loaded / u.size) * 100 : 0}
                    label={`Upload of ${u.name}`}
                    status={u.status}
                  />
                  {u.status === "failed" ? (
                    <span class="upload-error" role="alert">
                      {u.error}
                    </span>
                  ) : u.status === "uploading" ? (
                    <button type="button" class="btn btn-ghost btn-sm" onClick={() => u.handle?.abort()}>
                      Cancel
                    </button>
                  ) : (
                    <span class="muted">{u.status === "done" ? "Done" : "Waiting"}</span>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        {selected.size ? (
          <section class="selection-bar" aria-label="Selection">
            <strong>{selected.size} selected</strong>
            {trash ? (
              <button type="button" class="btn" onClick={() => bulk("restore")}>
                Restore
              </button>
            ) : (
              <>
                <button
                  type="button"
                  class="btn"
                  onClick={() => setBulkMode(bulkMode === "move" ? null : "move")}
                >
                  Move…
                </button>
                <button
                  type="button"
                  class="btn"
                  onClick={() => setBulkMode(bulkMode === "tag" ? null : "tag")}
                >
                  Tag…
                </button>
                <button
                  type="button"
                  class="btn"
                  onClick={() => navigate(`/vectorize?batch=${[...selected].join(",")}`)}
                >
                  Vectorize
                </button>
                <button type="button" class="btn btn-danger" onClick={() => bulk("trash")}>
                  Move to trash
                </button>
              </>
            )}
            <button type="button" class="btn btn-ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
            {bulkMode ? (
              <form
                class="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (bulkMode === "move") bulk("move", { folder: bulkValue.trim() || "/" });
                  else
                    bulk("tag", {
                      tags: bulkValue
                        .split(",")
                        .map((t) => t.trim())
                        .filter(Boolean),
                    });
                }}
              >
                <input
                  aria-label={bulkMode === "move" ? "Destination folder" : "Tags, comma separated"}
                  placeholder={bulkMode === "move" ? "/projects/logos" : "logo, blue"}
                  value={bulkValue}
                  onInput={(e) => setBulkValue((e.target as HTMLInputElement).value)}
                />
                <button type="submit" class="btn btn-primary">
                  {bulkMode === "move" ? "Move" : "Add tags"}
                </button>
              </form>
            ) : null}
          </section>
        ) : null}

        <ErrorBox error={error} />

        {!items.length && !loading && !error ? (
          <Empty title={trash ? "The trash is empty" : "No files here yet"}>
            {!trash ? <p>Drop images anywhere on this area, or use “Upload files”.</p> : null}
          </Empty>
        ) : null}

        {view === "grid" ? (
          <ul class="grid" aria-label="Files" aria-busy={loading}>
            {items.map((m) => (
              <li key={m.id} class={`card${selected.has(m.id) ? " selected" : ""}`} data-testid="media-card">
                <input
                  type="checkbox"
                  class="card-check"
                  aria-label={`Select ${m.name}`}
                  checked={selected.has(m.id)}
                  onChange={() => toggle(m.id)}
                />
                <button type="button" class="card-open" onClick={() => setDetailId(m.id)}>
                  <span class="thumb">
                    <Thumb media={m} />
                  </span>
                  <span class="card-name" title={m.name}>
                    {m.name}
                  </span>
                  <span class="card-meta">{formatBytes(m.size)}</span>
                </button>
              </li>
            ))}
            {loading && !items.length
              ? Array.from({ length: 8 }, (_, i) => (
                  <li key={`s${i}`} class="card skeleton" aria-hidden="true" />
                ))
              : null}
          </ul>
        ) : (
          <table class="table" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">
                  <span class="sr-only">Select</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">Folder</th>
                <th scope="col">Type</th>
                <th scope="col">Size</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id} class={selected.has(m.id) ? "selected" : ""}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${m.name}`}
                      checked={selected.has(m.id)}
                      onChange={() => toggle(m.id)}
                    />
                  </td>
                  <td>
                    <button type="button" class="linkish row-name" onClick={() => setDetailId(m.id)}>
                      <span class="mini-thumb">
                        <Thumb media={m} />
                      </span>
                      {m.name}
                    </button>
                  </td>
                  <td>{m.folder}</td>
                  <td>{m.mime}</td>
                  <td>{formatBytes(m.size)}</td>
                  <td>{formatDate(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cursor ? (
          <MoreButton disabled={loading} onClick={() => fetchPage(cursor)}>
            {loading ? "Loading…" : "Load more"}
          </MoreButton>
        ) : null}
        {dragging ? (
          <div class="drop-overlay" aria-hidden="true">
            Drop files to upload to {trash || folder === "/" ? "All files" : folder}
          </div>
        ) : null}
      </section>

      {detailId ? (
        <Details id={detailId} onClose={() => setDetailId(null)} onChanged={refreshAll} key={detailId} />
      ) : null}
    </div>
  );
}

function FolderItem(props: {
  node: FolderNode | null;
  current: string | null;
  onPick: (p: string) => void;
  depth: number;
}) {
  const { node } = props;
  const path = node?.path ?? "/";
  const label = props.depth === 0 ? "All files" : (node?.name ?? "");
  return (
    <li>
      <button
        type="button"
        class={`tree-item${props.current === path ? " active" : ""}`}
        aria-current={props.current === path ? "true" : undefined}
        style={{ paddingLeft: `${0.5 + props.depth * 0.9}rem` }}
        onClick={() => props.onPick(path)}
      >
        <span class="tree-name">{label}</span>
        <span class="tree-count">{node ? node.totalFiles : ""}</span>
      </button>
      {node?.children.length ? (
        <ul>
          {node.children.map((c) => (
            <FolderItem
              key={c.path}
              node={c}
              current={props.current}
              onPick={props.onPick}
              depth={props.depth + 1}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function Thumb({ media }: { media: Media }) {
  const [retry, setRetry] = useState(0);
  if (!media.thumbnailUrl) return <span class="thumb-kind">{media.kind}</span>;
  // The server answers 202 with a placeholder while it makes the thumbnail; try again once a little later.
  return (
    <img
      src={`${media.thumbnailUrl}${retry ? `?r=${retry}` : ""}`}
      alt=""
      loading="lazy"
      decoding="async"
      width={160}
      height={160}
      onLoad={(e) => {
        const img = e.target as HTMLImageElement;
        if (retry < 2 && img.naturalWidth <= 2) setTimeout(() => setRetry((r) => r + 1), 1500);
      }}
    />
  );
}

const EXPIRIES = [
  [3600, "1 hour"],
  [86_400, "1 day"],
  [7 * 86_400, "7 days"],
  [30 * 86_400, "30 days"],
] as const;

function Details(props: { id: string; onClose: () => void; onChanged: () => void }) {
  const { data, error, reload } = useLoad(
    () => call<{ media: Media }>("mediaOne", { params: { id: props.id } }),
    [props.id],
  );
  const m = data?.media;
  const shares = useLoad(() => call<{ items: Share[] }>("shares", { params: { id: props.id } }), [props.id]);
  const [name, setName] = useState("");
  const [folder, setFolder] = useState("");
  const [tags, setTags] = useState("");
  const [fieldErr, setFieldErr] = useState<Record<string, string>>({});
  const [expiry, setExpiry] = useState(86_400);
  const [newShare, setNewShare] = useState<Share | null>(null);
  const headRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (m) {
      setName(m.name);
      setFolder(m.folder);
      setTags(m.tags.join(", "));
    }
  }, [m?.updatedAt]);
  useEffect(() => headRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    setFieldErr({});
    try {
      await call("patchMedia", {
        params: { id: props.id },
        body: {
          name: name.trim(),
          folder: folder.trim() || "/",
          tags: tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        },
      });
      toast("Saved.", "ok");
      reload();
      props.onChanged();
    } catch (err) {
      showFormError(err, setFieldErr);
    }
  };
  const act = async (fn: () => Promise<unknown>, msg: string, close = false) => {
    try {
      await fn();
      toast(msg, "ok");
      props.onChanged();
      if (close) props.onClose();
      else reload();
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <aside class="details" aria-labelledby="details-title">
      <div class="details-head">
        <h2 id="details-title" tabIndex={-1} ref={headRef}>
          {m?.name ?? "File"}
        </h2>
        <button type="button" class="btn btn-ghost" aria-label="Close details" onClick={props.onClose}>
          ✕
        </button>
      </div>
      <ErrorBox error={error} />
      {m ? (
        <>
          <div class="details-preview">
            {m.kind === "image" ? (
              <img src={m.contentUrl} alt={m.name} />
            ) : (
              <span class="thumb-kind">{m.kind}</span>
            )}
          </div>
          <dl class="meta">
            <dt>Type</dt>
            <dd>{m.mime}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(m.size)}</dd>
            {m.width ? (
              <>
                <dt>Dimensions</dt>
                <dd>
                  {m.width} × {m.height}
                </dd>
              </>
            ) : null}
            <dt>Added</dt>
            <dd>{formatDate(m.createdAt)}</dd>
            <dt>SHA-256</dt>
            <dd class="mono ellipsis" title={m.sha256}>
              {m.sha256.slice(0, 16)}…
            </dd>
          </dl>
          <div class="btn-row">
            <a class="btn" href={`${m.contentUrl}?download=true`} download={m.name}>
              Download
            </a>
            {m.kind === "image" && !m.trashedAt ? (
              <button type="button" class="btn" onClick={() => navigate(`/vectorize?media=${m.id}`)}>
                Vectorize
              </button>
            ) : null}
            {m.trashedAt ? (
              <>
                <button
                  type="button"
                  class="btn"
                  onClick={() => act(() => call("restoreMedia", { params: { id: m.id } }), "Restored.", true)}
                >
                  Restore
                </button>
                <button
                  type="button"
                  class="btn btn-danger"
                  onClick={() =>
                    confirm(`Delete “${m.name}” for good? This can't be undone.`) &&
                    act(
                      () => call("deleteMedia", { params: { id: m.id }, query: { purge: "true" } }),
                      "Deleted for good.",
                      true,
                    )
                  }
                >
                  Delete forever
                </button>
              </>
            ) : (
              <button
                type="button"
                class="btn btn-danger"
                onClick={() =>
                  act(() => call("deleteMedia", { params: { id: m.id } }), "Moved to trash.", true)
                }
              >
                Move to trash
              </button>
            )}
          </div>
          {!m.trashedAt ? (
            <form onSubmit={save} class="details-form">
              <TextField label="Name" error={fieldErr.name} value={name} onValue={setName} />
              <TextField label="Folder" error={fieldErr.folder} value={folder} onValue={setFolder} />
              <TextField
                label="Tags (comma separated)"
                error={fieldErr.tags}
                value={tags}
                onValue={setTags}
              />
              <button class="btn btn-primary" type="submit">
                Save changes
              </button>
            </form>
          ) : null}
          {!m.trashedAt ? (
            <section class="shares" aria-labelledby="share-title">
              <h3 id="share-title">Share link</h3>
              <div class="inline-form">
                <select
                  aria-label="Link expires after"
                  value={expiry}
                  onChange={(e) => setExpiry(Number((e.target as HTMLSelectElement).value))}
                >
                  {EXPIRIES.map(([v, l]) => (
                    <option key={v} value={v}>
                      Expires in {l}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  class="btn"
                  onClick={async () => {
                    try {
                      const { share } = await call<{ share: Share }>("createShare", {
                        params: { id: m.id },
                        body: { expiresInSeconds: expiry },
                      });
                      setNewShare(share);
                      shares.reload();
                    } catch (e) {
                      toastError(e);
                    }
                  }}
                >
                  Create link
                </button>
              </div>
              {newShare?.url ? (
                <div class="secret">
                  <input
                    readOnly
                    aria-label="Share link"
                    value={new URL(newShare.url, location.origin).href}
                  />
                  <button
                    type="button"
                    class="btn"
                    onClick={() => copy(new URL(newShare.url!, location.origin).href)}
                  >
                    Copy
                  </button>
                  <p class="hint">Shown only now. Anyone with the link can download until it expires.</p>
                </div>
              ) : null}
              <ul class="share-list">
                {(shares.data?.items ?? [])
                  .filter((s) => !s.revokedAt)
                  .map((s) => (
                    <li key={s.id}>
                      <span>
                        Expires {formatDate(s.expiresAt)} · {s.downloads} downloads
                      </span>
                      <button
                        type="button"
                        class="btn btn-ghost btn-sm"
                        onClick={() =>
                          act(
                            () =>
                              call("revokeShare", { params: { id: m.id, shareId: s.id } }).then(
                                shares.reload,
                              ),
                            "Link revoked.",
                          )
                        }
                      >
                        Revoke
                      </button>
                    </li>
                  ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : (
        <div class="skeleton details-skeleton" />
      )}
      <p class="hint">
        Direct link: <code>{url("content", { id: props.id })}</code>
      </p>
    </aside>
  );
}
