import { useEffect, useState } from "preact/hooks";
import { call } from "../../api";
import { toast, toastError } from "../../ui";

/** Files picked for a bulk action; cleared when the list changes (`resetOn`) or after an action. */
export function useSelection(resetOn: unknown, onChanged: () => void) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => setSelected(new Set()), [resetOn]);
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  /** POST /media/bulk for the selection; true when it went through. */
  const apply = async (action: string, extra: Record<string, unknown> = {}): Promise<boolean> => {
    try {
      const { updated } = await call<{ updated: number }>("bulk", {
        body: { ids: [...selected], action, ...extra },
      });
      toast(`${updated} file${updated === 1 ? "" : "s"} updated.`, "ok");
      setSelected(new Set());
      onChanged();
      return true;
    } catch (e) {
      toastError(e);
      return false;
    }
  };
  return { selected, toggle, clear: () => setSelected(new Set()), apply };
}

export type Selection = ReturnType<typeof useSelection>;
