import { useEffect, useRef, useState } from "preact/hooks";
import { call, isTerminal, type Job, type JobWatch, type Page, type Progress, watchJob } from "../../api";
import { toast, useSession } from "../../ui";

/**
 * The job the studio shows, followed live (WebSocket, or polling as a fallback) until it ends; a
 * finished batch also brings its children's results.
 */
export function useJobFollow() {
  const [job, setJob] = useState<Job | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [via, setVia] = useState<"ws" | "poll" | null>(null);
  const [children, setChildren] = useState<Job[]>([]);
  const watch = useRef<JobWatch | null>(null);
  const session = useSession();

  useEffect(() => () => watch.current?.stop(), []);

  const loadChildren = async (parentId: string) => {
    try {
      const page = await call<Page<Job>>("jobs", { query: { parentId, limit: 100 } });
      setChildren(page.items);
    } catch {}
  };

  const follow = (j: Job) => {
    watch.current?.stop();
    setJob(j);
    setProgress(j.progress);
    if (isTerminal(j.status)) {
      if (j.type === "vectorize-batch") loadChildren(j.id);
      return;
    }
    watch.current = watchJob(j.id, (u) => {
      setVia(u.via);
      if (u.progress) setProgress(u.progress);
      if (!u.job) return;
      setJob(u.job);
      if (isTerminal(u.job.status)) finished(u.job);
    });
  };

  /** A job seen ending while followed. */
  const finished = (j: Job) => {
    // A finished job charged or released its credits: the header's count follows.
    session.refresh();
    if (j.status === "succeeded") setProgress({ ...j.progress, percent: 100 });
    if (j.type === "vectorize-batch") loadChildren(j.id);
    if (j.status === "failed") toast(j.error?.message ?? "The job failed.", "error");
  };

  return { job, setJob, progress, via, children, clearChildren: () => setChildren([]), follow };
}

export type JobFollow = ReturnType<typeof useJobFollow>;
