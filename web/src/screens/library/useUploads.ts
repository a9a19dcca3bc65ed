import { useRef, useState } from "preact/hooks";
import { type OnConflict, type UploadHandle, uploadFile } from "../../api";

export interface UploadItem {
  key: number;
  name: string;
  size: number;
  loaded: number;
  status: "queued" | "uploading" | "done" | "skipped" | "conflict" | "failed";
  error?: string;
  /** What happened to the name: "Saved as …", "Replaced", "Kept the existing file". */
  note?: string;
  handle?: UploadHandle;
  /** A big file (tus) whose sending is paused. */
  paused?: boolean;
}

/** A file whose name is taken in its folder, waiting for the person to choose. */
export interface PendingConflict {
  key: number;
  file: File;
  folder: string;
}

let uploadKey = 0;

/** What a finished upload's row says about the name it took. */
function doneNote(resolution: string | undefined, savedAs: string): string | undefined {
  if (resolution === "renamed") return `Saved as ${savedAs}`;
  if (resolution === "replaced") return "Replaced (the old file is in the trash)";
  return undefined;
}

/**
 * Uploads into a folder, three at a time, with per-file and overall progress. A file whose name
 * is taken is first sent with `onConflict=skip` (nothing is stored), then the person chooses:
 * replace (the old one goes to the trash), keep both (`name (1).ext`) or skip — once, or for all
 * the conflicts of this batch. `onAllDone` runs after each batch.
 */
export function useUploads(onAllDone: () => void) {
  const [uploads, setUploads] = useState<UploadItem[]>([]);
  const [conflicts, setConflicts] = useState<PendingConflict[]>([]);
  const remembered = useRef<OnConflict | null>(null);

  const update = (key: number, patch: Partial<UploadItem>) =>
    setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)));

  const send = async (item: UploadItem, file: File, target: string, mode: OnConflict) => {
    const handle = uploadFile(file, target, (loaded) => update(item.key, { loaded }), mode);
    update(item.key, { status: "uploading", handle, loaded: 0 });
    try {
      const { media, conflict } = await handle.promise;
      const skipped = conflict?.resolution === "skipped";
      if (skipped && mode === "skip" && !remembered.current) {
        update(item.key, { status: "conflict", note: "Name taken: choose what to do" });
        setConflicts((c) => [...c, { key: item.key, file, folder: target }]);
      } else if (skipped) {
        update(item.key, { status: "skipped", loaded: file.size, note: "Kept the existing file" });
      } else {
        update(item.key, {
          status: "done",
          loaded: file.size,
          note: doneNote(conflict?.resolution, media.name),
        });
      }
    } catch (e) {
      update(item.key, { status: "failed", error: e instanceof Error ? e.message : String(e) });
    }
  };

  const start = (files: File[], target: string) => {
    if (!files.length) return;
    remembered.current = null;
    const fresh: UploadItem[] = files.map((f) => ({
      key: ++uploadKey,
      name: f.name,
      size: f.size,
      loaded: 0,
      status: "queued",
    }));
    setUploads((u) => [...u.filter((x) => x.status !== "done" && x.status !== "skipped"), ...fresh]);
    // Three at a time: fast, without starving the rest of the page.
    let next = 0;
    let finished = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        await send(fresh[i]!, files[i]!, target, remembered.current ?? "skip");
        finished++;
        if (finished === files.length) onAllDone();
      }
    };
    for (let w = 0; w < Math.min(3, files.length); w++) worker();
  };

  /** The person's answer for the first pending conflict (and, with `all`, for every one after it). */
  const resolve = async (mode: OnConflict, all: boolean) => {
    const [first, ...rest] = conflicts;
    if (!first) return;
    const now = all ? conflicts : [first];
    if (all) remembered.current = mode;
    setConflicts(all ? [] : rest);
    for (const c of now) {
      const item = { key: c.key, name: c.file.name, size: c.file.size, loaded: 0, status: "queued" as const };
      if (mode === "skip") update(c.key, { status: "skipped", loaded: c.file.size, note: "Skipped" });
      else await send(item, c.file, c.folder, mode);
    }
    onAllDone();
  };

  return {
    uploads,
    start,
    conflict: conflicts[0] ?? null,
    conflictsLeft: conflicts.length,
    resolve,
    clear: () => setUploads([]),
    /** Pauses or resumes a big file's upload (tus); it carries on from where the server is. */
    togglePause: (item: UploadItem) => {
      if (item.paused) item.handle?.resume?.();
      else item.handle?.pause?.();
      update(item.key, { paused: !item.paused });
    },
    total: uploads.reduce((a, u) => a + u.size, 0),
    loaded: uploads.reduce(
      (a, u) => a + (u.status === "done" || u.status === "skipped" ? u.size : u.loaded),
      0,
    ),
    active: uploads.filter((u) => u.status === "uploading" || u.status === "queued").length,
    failed: uploads.filter((u) => u.status === "failed").length,
  };
}

export type Uploads = ReturnType<typeof useUploads>;
