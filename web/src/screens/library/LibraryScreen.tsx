import { useRef, useState } from "preact/hooks";
import { call, type FolderNode, type Media, type MediaStats, type Page } from "../../api";
import { usePaged } from "../../hooks/usePaged";
import { Empty, ErrorBox, MoreButton, useLoad } from "../../ui";
import { ConflictDialog } from "./ConflictDialog";
import { Details } from "./Details";
import { Filters } from "./Filters";
import { type FolderAction, FolderDialogs } from "./FolderDialogs";
import { FolderItem } from "./FolderTree";
import { MediaGrid, MediaTable } from "./MediaList";
import { SelectionBar } from "./SelectionBar";
import { ShareDialog, type ShareTarget } from "./ShareDialog";
import { TrashBar } from "./TrashBar";
import { UploadsPanel } from "./UploadsPanel";
import { useLibraryQuery } from "./useLibraryQuery";
import { useSelection } from "./useSelection";
import { useUploads } from "./useUploads";
import { Viewer } from "./Viewer";

type View = "grid" | "list";

/** The media library: folders, filters, uploads by drop or picker, grid or list, bulk actions, details. */
export function LibraryScreen() {
  const lib = useLibraryQuery();
  const [view, setView] = useState<View>((localStorage.getItem("edgecraft:view") as View | null) ?? "grid");
  const [detailId, setDetailId] = useState<string | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const [folderAction, setFolderAction] = useState<FolderAction | null>(null);
  const [sharing, setSharing] = useState<ShareTarget | null>(null);
  const [dragging, setDragging] = useState(false);
  const [version, setVersion] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const refreshAll = () => setVersion((v) => v + 1);
  const tree = useLoad(() => call<{ root: FolderNode }>("folders"), [version]);
  const stats = useLoad(() => call<MediaStats>("mediaStats"), [version]);
  const files = usePaged(
    (cursor) => call<Page<Media>>("media", { query: { ...lib.query, cursor } }),
    [lib.query, version],
  );
  const sel = useSelection(lib.query, refreshAll);
  const up = useUploads(refreshAll);
  const { folder, trash } = lib;
  const upload = (list: File[]) => up.start(list, trash ? "/" : folder);
  const open = (id: string) => {
    const i = files.items.findIndex((m) => m.id === id);
    if (i >= 0) setViewing(i);
  };
  const sample = files.items.find((m) => m.purgeAt && m.trashedAt);
  const retentionDays = sample
    ? Math.round((Date.parse(sample.purgeAt!) - Date.parse(sample.trashedAt!)) / 86_400_000)
    : 30;
  const pickView = (v: View) => {
    setView(v);
    localStorage.setItem("edgecraft:view", v);
  };

  return (
    <div class="library">
      <aside class="sidebar" aria-label="Folders">
        <h2 class="sidebar-title">Folders</h2>
        <ul class="tree">
          <FolderItem
            node={tree.data?.root ?? null}
            current={trash ? null : folder}
            onPick={lib.openFolder}
            onAction={setFolderAction}
            onShare={(f) => setSharing({ folder: f })}
            depth={0}
          />
        </ul>
        <button
          type="button"
          class="btn btn-ghost btn-sm new-folder"
          onClick={() => setFolderAction({ kind: "create", parent: trash ? "/" : folder })}
        >
          + New folder
        </button>
        <button
          type="button"
          class={`tree-item trash-link${trash ? " active" : ""}`}
          aria-pressed={trash}
          onClick={lib.openTrash}
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
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          upload([...(e.dataTransfer?.files ?? [])]);
        }}
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
                onClick={() => pickView("grid")}
              >
                Grid
              </button>
              <button
                type="button"
                class={view === "list" ? "on" : ""}
                aria-pressed={view === "list"}
                onClick={() => pickView("list")}
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
                upload([...(input.files ?? [])]);
                input.value = "";
              }}
            />
          </div>
        </div>

        {trash ? (
          <TrashBar
            count={stats.data?.trash.files ?? null}
            retentionDays={retentionDays}
            onEmptied={refreshAll}
          />
        ) : null}
        <Filters f={lib.filters} />
        <UploadsPanel up={up} />
        <SelectionBar sel={sel} trash={trash} onShare={(ids) => setSharing({ mediaIds: ids })} />
        <ErrorBox error={files.error} />

        {!files.items.length && !files.loading && !files.error ? (
          lib.filtered ? (
            <Empty title="No files match">
              <p>Nothing here matches your search or filters.</p>
              <button type="button" class="btn" onClick={lib.clearFilters}>
                Clear filters
              </button>
            </Empty>
          ) : (
            <Empty title={trash ? "The trash is empty" : "No files here yet"}>
              {!trash ? <p>Drop images anywhere on this area, or use “Upload files”.</p> : null}
            </Empty>
          )
        ) : null}

        {view === "grid" ? (
          <MediaGrid items={files.items} loading={files.loading} sel={sel} onOpen={open} />
        ) : (
          <MediaTable items={files.items} loading={files.loading} sel={sel} onOpen={open} />
        )}
        {files.cursor ? (
          <MoreButton disabled={files.loading} onClick={files.more}>
            {files.loading ? "Loading…" : "Load more"}
          </MoreButton>
        ) : null}
        {dragging ? (
          <div class="drop-overlay" aria-hidden="true">
            Drop files to upload to {trash || folder === "/" ? "All files" : folder}
          </div>
        ) : null}
      </section>

      {viewing !== null && !detailId ? (
        <Viewer
          items={files.items}
          index={Math.min(viewing, files.items.length - 1)}
          onStep={(delta) =>
            setViewing((v) => (v === null ? v : (v + delta + files.items.length) % files.items.length))
          }
          onClose={() => setViewing(null)}
          onEdit={(id) => {
            setViewing(null);
            setDetailId(id);
          }}
        />
      ) : null}
      <ConflictDialog up={up} />
      <ShareDialog target={sharing} onClose={() => setSharing(null)} />
      <FolderDialogs
        action={folderAction}
        onClose={() => setFolderAction(null)}
        onDone={(path) => {
          setFolderAction(null);
          refreshAll();
          if (path) lib.openFolder(path);
          else lib.openFolder("/");
        }}
      />
      {detailId ? (
        <Details id={detailId} onClose={() => setDetailId(null)} onChanged={refreshAll} key={detailId} />
      ) : null}
    </div>
  );
}
