import { call, formatDate, type Page, type Share } from "../api";
import { usePaged } from "../hooks/usePaged";
import { copy, Empty, ErrorBox, MoreButton, toast, toastError } from "../ui";

const live = (s: Share) => !s.revokedAt && Date.parse(s.expiresAt) > Date.now();

/** My shares: every link with its views, downloads and last access; copy, extend by 30 days, revoke. */
export function SharesScreen() {
  const list = usePaged((cursor) => call<Page<Share>>("myShares", { query: { cursor, limit: 50 } }), []);
  const act = async (fn: () => Promise<unknown>, msg: string) => {
    try {
      await fn();
      toast(msg, "ok");
      list.reload();
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <div class="page">
      <h1>My shares</h1>
      <ErrorBox error={list.error} />
      {!list.items.length && !list.loading ? (
        <Empty title="No share links yet">
          <p>Share a file from its details, or a folder or a selection from the library.</p>
        </Empty>
      ) : (
        <div class="table-scroll">
          <table class="table" data-testid="my-shares">
            <thead>
              <tr>
                <th scope="col">Shared</th>
                <th scope="col">Views</th>
                <th scope="col">Downloads</th>
                <th scope="col">Last opened</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((s) => (
                <ShareRow key={s.id} s={s} act={act} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.cursor ? <MoreButton onClick={list.more}>Load more</MoreButton> : null}
    </div>
  );
}

const KIND_PREFIX: Partial<Record<Share["kind"], string>> = { folder: "Folder ", selection: "Selection: " };

type Act = (fn: () => Promise<unknown>, msg: string) => Promise<void>;

/** One link: what it shares, its counts, and (while not revoked) copy, extend and revoke. */
function ShareRow({ s, act }: { s: Share; act: Act }) {
  return (
    <tr key={s.id} class={live(s) ? "" : "muted"}>
      <td>
        {KIND_PREFIX[s.kind] ?? ""}
        {s.name}
        {s.hasPassword ? <span class="hint"> · password</span> : null}
      </td>
      <td>{s.views}</td>
      <td>{s.downloads}</td>
      <td>{formatDate(s.lastAccessedAt)}</td>
      <td>{s.revokedAt ? "Revoked" : formatDate(s.expiresAt)}</td>
      <td class="row-actions">
        {!s.revokedAt ? (
          <>
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => copy(s.url)}>
              Copy link
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Extend ${s.name} by 30 days`}
              onClick={() =>
                act(
                  () =>
                    call("extendShare", {
                      params: { id: s.id },
                      body: { expiresInSeconds: 30 * 86_400 },
                    }),
                  "Link extended to 30 days from now.",
                )
              }
            >
              Extend
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Revoke ${s.name}`}
              onClick={() => act(() => call("revokeMyShare", { params: { id: s.id } }), "Link revoked.")}
            >
              Revoke
            </button>
          </>
        ) : null}
      </td>
    </tr>
  );
}
