import { useState } from "preact/hooks";
import { call, formatDate, type Media, type Share } from "../../api";
import { copy, toastError, useLoad } from "../../ui";

const EXPIRIES = [
  [3600, "1 hour"],
  [86_400, "1 day"],
  [7 * 86_400, "7 days"],
  [30 * 86_400, "30 days"],
] as const;

/** A file's share links: create one (its URL shown once), list and revoke the live ones. */
export function Shares({
  media: m,
  onAct,
}: {
  media: Media;
  onAct: (fn: () => Promise<unknown>, msg: string) => Promise<void>;
}) {
  const shares = useLoad(() => call<{ items: Share[] }>("shares", { params: { id: m.id } }), [m.id]);
  const [expiry, setExpiry] = useState(86_400);
  const [newShare, setNewShare] = useState<Share | null>(null);
  return (
    <section class="shares" aria-labelledby="share-title">
      <h3 id="share-title">Share link</h3>
      <div class="inline-form">
        <select
          aria-label="Link expires after"
          value={expiry}
          onChange={(e) => setExpiry(Number((e.target as HTMLSelectElement).value))}
        >
          {EXPIRIES.map(([v, l]) => (
            <option key={v} value={v}>
              Expires in {l}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="btn"
          onClick={async () => {
            try {
              const { share } = await call<{ share: Share }>("createShare", {
                params: { id: m.id },
                body: { expiresInSeconds: expiry },
              });
              setNewShare(share);
              shares.reload();
            } catch (e) {
              toastError(e);
            }
          }}
        >
          Create link
        </button>
      </div>
      {newShare?.url ? (
        <div class="secret">
          <input readOnly aria-label="Share link" value={new URL(newShare.url, location.origin).href} />
          <button
            type="button"
            class="btn"
            onClick={() => copy(new URL(newShare.url!, location.origin).href)}
          >
            Copy
          </button>
          <p class="hint">Shown only now. Anyone with the link can download until it expires.</p>
        </div>
      ) : null}
      <ul class="share-list">
        {(shares.data?.items ?? [])
          .filter((s) => !s.revokedAt)
          .map((s) => (
            <li key={s.id}>
              <span>
                Expires {formatDate(s.expiresAt)} · {s.downloads} downloads
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
