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
import { type LibraryQuery, useLibraryQuery } from "./useLibraryQuery";
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
  const [version, setVersion] = useState(0);
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
  const drop = useDropZone(upload);
  const open = (id: string) => {
    const i = files.items.findIndex((m) => m.id === id);
    if (i >= 0) setViewing(i);
  };
  const pickView = (v: View) => {
    setView(v);
    localStorage.setItem("edgecraft:view", v);
  };

  return (
    <div class="library">
      <FolderSidebar
        root={tree.data?.root ?? null}
        folder={folder}
        trash={trash}
        lib={lib}
        onAction={setFolderAction}
        onShare={(f) => setSharing({ folder: f })}
      />

      <section
        class={`library-main${drop.dragging ? " dragging" : ""}`}
        data-testid="dropzone"
        aria-label="Files"
        {...drop.handlers}
      >
        <div class="toolbar">
          <h1 class="toolbar-title">{trash ? "Trash" : folderTitle(folder)}</h1>
          <div class="toolbar-actions">
            <ViewSwitch view={view} onView={pickView} />
            {!trash ? <UploadButton onFiles={upload} /> : null}
          </div>
        </div>

        {trash ? (
          <TrashBar
            count={stats.data?.trash.files ?? null}
            retentionDays={retentionDays(files.items)}
            onEmptied={refreshAll}
          />
        ) : null}
        <Filters f={lib.filters} />
        <UploadsPanel up={up} />
        <SelectionBar sel={sel} trash={trash} onShare={(ids) => setSharing({ mediaIds: ids })} />
        <ErrorBox error={files.error} />

        {!files.items.length && !files.loading && !files.error ? <NoFiles lib={lib} /> : null}

        <MediaList view={view} items={files.items} loading={files.loading} sel={sel} onOpen={open} />
        <LoadMore files={files} />
        {drop.dragging ? (
          <div class="drop-overlay" aria-hidden="true">
            Drop files to upload to {folderTitle(trash ? "/" : folder)}
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
          lib.openFolder(path || "/");
        }}
      />
      {detailId ? (
        <Details id={detailId} onClose={() => setDetailId(null)} onChanged={refreshAll} key={detailId} />
      ) : null}
    </div>
  );
}

/** Days a trashed file stays before it is purged, read off one in the list (30 when none shows). */
function retentionDays(items: Media[]): number {
  const sample = items.find((m) => m.purgeAt && m.trashedAt);
  return sample ? Math.round((Date.parse(sample.purgeAt!) - Date.parse(sample.trashedAt!)) / 86_400_000) : 30;
}

function LoadMore({ files }: { files: { cursor: string | null; loading: boolean; more: () => void } }) {
  if (!files.cursor) return null;
  return (
    <MoreButton disabled={files.loading} onClick={files.more}>
      {files.loading ? "Loading…" : "Load more"}
    </MoreButton>
  );
}

const folderTitle = (folder: string) => (folder === "/" ? "All files" : folder);

function MediaList(props: { view: View } & Parameters<typeof MediaGrid>[0]) {
  const { view, ...list } = props;
  return view === "grid" ? <MediaGrid {...list} /> : <MediaTable {...list} />;
}

/** Folders, "New folder" and the trash. */
function FolderSidebar(props: {
  root: FolderNode | null;
  folder: string;
  trash: boolean;
  lib: LibraryQuery;
  onAction: (a: FolderAction) => void;
  onShare: (folder: string) => void;
}) {
  const { trash, folder, lib } = props;
  return (
    <aside class="sidebar" aria-label="Folders">
      <h2 class="sidebar-title">Folders</h2>
      <ul class="tree">
        <FolderItem
          node={props.root}
          current={trash ? null : folder}
          onPick={lib.openFolder}
          onAction={props.onAction}
          onShare={props.onShare}
          depth={0}
        />
      </ul>
      <button
        type="button"
        class="btn btn-ghost btn-sm new-folder"
        onClick={() => props.onAction({ kind: "create", parent: trash ? "/" : folder })}
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
  );
}

/** Files dropped on the area start uploading; `dragging` while files hover over it. */
function useDropZone(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      e.preventDefault();
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget === e.target) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      onFiles([...(e.dataTransfer?.files ?? [])]);
    },
  };
  return { dragging, handlers };
}

function ViewSwitch({ view, onView }: { view: View; onView: (v: View) => void }) {
  return (
    <fieldset class="seg">
      <legend class="sr-only">View</legend>
      {(["grid", "list"] as const).map((v) => (
        <button
          key={v}
          type="button"
          class={view === v ? "on" : ""}
          aria-pressed={view === v}
          onClick={() => onView(v)}
        >
          {v === "grid" ? "Grid" : "List"}
        </button>
      ))}
    </fieldset>
  );
}

/** "Upload files": the button opens the hidden file picker. */
function UploadButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="btn btn-primary" onClick={() => input.current?.click()}>
        Upload files
      </button>
      <input
        ref={input}
        type="file"
        multiple
        class="sr-only"
        aria-label="Choose files to upload"
        data-testid="file-input"
        onChange={(e) => {
          const el = e.target as HTMLInputElement;
          onFiles([...(el.files ?? [])]);
          el.value = "";
        }}
      />
    </>
  );
}

/** The empty list: nothing matches the filters, or nothing is here yet. */
function NoFiles({ lib }: { lib: LibraryQuery }) {
  if (lib.filtered)
    return (
      <Empty title="No files match">
        <p>Nothing here matches your search or filters.</p>
        <button type="button" class="btn" onClick={lib.clearFilters}>
          Clear filters
        </button>
      </Empty>
    );
  return (
    <Empty title={lib.trash ? "The trash is empty" : "No files here yet"}>
      {!lib.trash ? <p>Drop images anywhere on this area, or use “Upload files”.</p> : null}
    </Empty>
  );
}
