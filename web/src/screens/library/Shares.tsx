import { call, formatDate, type Media, type Share } from "../../api";
import { useLoad } from "../../ui";
import { ShareForm } from "./ShareForm";

/** A file's share links: create one (with an expiry and an optional password), list and revoke the live ones. */
export function Shares({
  media: m,
  onAct,
}: {
  media: Media;
  onAct: (fn: () => Promise<unknown>, msg: string) => Promise<void>;
}) {
  const shares = useLoad(() => call<{ items: Share[] }>("shares", { params: { id: m.id } }), [m.id]);
  return (
    <section class="shares" aria-labelledby="share-title">
      <h3 id="share-title">Share link</h3>
      <ShareForm
        create={async (body) =>
          (await call<{ share: Share }>("createShare", { params: { id: m.id }, body })).share
        }
        onCreated={shares.reload}
      />
      <ul class="share-list">
        {(shares.data?.items ?? [])
          .filter((s) => !s.revokedAt)
          .map((s) => (
            <li key={s.id}>
              <span>
                Expires {formatDate(s.expiresAt)} · {s.views} views · {s.downloads} downloads
                {s.hasPassword ? " · password" : ""}
              </span>
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                onClick={() =>
                  onAct(
                    () => call("revokeShare", { params: { id: m.id, shareId: s.id } }).then(shares.reload),
                    "Link revoked.",
                  )
                }
              >
                Revoke
              </button>
            </li>
          ))}
      </ul>
    </section>
  );
}
