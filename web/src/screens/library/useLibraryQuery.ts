import { useEffect, useMemo, useState } from "preact/hooks";

/** The library's filters (folder or trash, search, type, tag, dates, sort) and the list query they make. */
export function useLibraryQuery() {
  const [folder, setFolder] = useState("/");
  const [trash, setTrash] = useState(false);
  const [q, setQ] = useState("");
  const [qDebounced, setQDebounced] = useState("");
  const [type, setType] = useState("");
  const [tag, setTag] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [sort, setSort] = useState("-date");

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

  return {
    query,
    folder,
    trash,
    /** Shows a folder (leaving the trash). */
    openFolder: (path: string) => {
      setTrash(false);
      setFolder(path);
    },
    openTrash: () => setTrash(true),
    /** Whether a search or filter narrows the list (so an empty list means "no match", not "empty"). */
    filtered: Boolean(qDebounced || type || tag.trim() || from || to),
    clearFilters: () => {
      setQ("");
      setQDebounced("");
      setType("");
      setTag("");
      setFrom("");
      setTo("");
    },
    filters: { q, setQ, type, setType, tag, setTag, from, setFrom, to, setTo, sort, setSort },
  };
}

export type LibraryFilters = ReturnType<typeof useLibraryQuery>["filters"];
export type LibraryQuery = ReturnType<typeof useLibraryQuery>;
