import { call, type Share } from "../../api";
import { Dialog } from "../../ui";
import { ShareForm } from "./ShareForm";

export type ShareTarget = { folder: string } | { mediaIds: string[] };

/** Shares a folder (with its sub-folders) or a selection of files as one link. */
export function ShareDialog(props: { target: ShareTarget | null; onClose: () => void }) {
  const t = props.target;
  const title = !t ? "" : "folder" in t ? `Share ${t.folder}` : `Share ${t.mediaIds.length} files`;
  return (
    <Dialog open={t !== null} title={title} onClose={props.onClose}>
      {t ? (
        <div data-testid="share-dialog">
          <p class="hint">
            {"folder" in t
              ? "People with the link see the folder's files (sub-folders included) as they are when they open it."
              : "People with the link see these files."}
          </p>
          <ShareForm
            create={async (body) =>
              (await call<{ share: Share }>("createCollectionShare", { body: { ...t, ...body } })).share
            }
          />
          <div class="btn-row">
            <button type="button" class="btn btn-ghost" onClick={props.onClose}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
