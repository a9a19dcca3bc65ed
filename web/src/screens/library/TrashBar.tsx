import { useState } from "preact/hooks";
import { call } from "../../api";
import { Dialog, toast, toastError } from "../../ui";

/** The trash's header: the retention notice, and "Empty trash" with a count and a confirmation. */
export function TrashBar(props: { count: number | null; retentionDays: number; onEmptied: () => void }) {
  const [asking, setAsking] = useState(false);
  const empty = async () => {
    setAsking(false);
    try {
      const res = await call<{ purged: number; remaining: number }>("emptyTrash");
      toast(`Deleted ${res.purged} file${res.purged === 1 ? "" : "s"} for good.`, "ok");
      props.onEmptied();
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <div class="trash-bar">
      <p class="hint" data-testid="retention-notice">
        Files in the trash are deleted for good {props.retentionDays} days after they were moved there.
      </p>
      {props.count ? (
        <button type="button" class="btn btn-danger" onClick={() => setAsking(true)}>
          Empty trash ({props.count})
        </button>
      ) : null}
      <Dialog open={asking} title="Empty the trash?" onClose={() => setAsking(false)}>
        <p>
          {props.count} file{props.count === 1 ? "" : "s"} will be deleted for good. This can't be undone.
        </p>
        <div class="btn-row">
          <button type="button" class="btn btn-danger" onClick={empty}>
            Delete {props.count} file{props.count === 1 ? "" : "s"} for good
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </div>
  );
}
