import { useEffect, useState } from "preact/hooks";
import type { Page } from "../api";

export interface Paged<T> {
  items: T[];
  /** Where the next page starts; null when the last page is loaded. */
  cursor: string | null;
  loading: boolean;
  error: unknown;
  /** Appends the next page (no-op on the last page). */
  more: () => void;
  /** Starts over from the first page; `quiet` keeps the current items on screen without a loading state. */
  reload: (quiet?: boolean) => void;
}

/**
 * A cursor-paged list (API.md: `?cursor=&limit=` → `{ items, nextCursor }`): the first page loads
 * whenever `deps` change, `more()` appends the next one, and the cursor is kept in between.
 */
export function usePaged<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  deps: unknown[],
): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const load = async (after: string | null, quiet = false) => {
    if (!quiet) setLoading(true);
    try {
      const page = await fetchPage(after);
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
    load(null);
  }, deps);
  return {
    items,
    cursor,
    loading,
    error,
    more: () => {
      if (cursor) load(cursor);
    },
    reload: (quiet = false) => load(null, quiet),
  };
}
