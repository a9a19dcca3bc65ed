import { useState } from "preact/hooks";
import { type UploadHandle, uploadFile } from "../../api";

export interface UploadItem {
  key: number;
  name: string;
  size: number;
  loaded: number;
  status: "queued" | "uploading" | "done" | "failed";
  error?: string;
  handle?: UploadHandle;
}

let uploadKey = 0;

/** Uploads into a folder, three at a time, with per-file and overall progress; `onAllDone` after each batch. */
export function useUploads(onAllDone: () => void) {
  const [uploads, setUploads] = useState<UploadItem[]>([]);

  const start = (files: File[], target: string) => {
    if (!files.length) return;
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
        if (finished === files.length) onAllDone();
      }
    };
    for (let w = 0; w < Math.min(3, files.length); w++) worker();
  };

  return {
    uploads,
    start,
    clear: () => setUploads([]),
    total: uploads.reduce((a, u) => a + u.size, 0),
    loaded: uploads.reduce((a, u) => a + (u.status === "done" ? u.size : u.loaded), 0),
    active: uploads.filter((u) => u.status === "uploading" || u.status === "queued").length,
    failed: uploads.filter((u) => u.status === "failed").length,
  };
}

export type Uploads = ReturnType<typeof useUploads>;
