import { useState } from "preact/hooks";
import type { Share } from "../../api";
import { copy, toastError } from "../../ui";

export const EXPIRIES = [
  [3600, "1 hour"],
  [86_400, "1 day"],
  [7 * 86_400, "7 days"],
  [30 * 86_400, "30 days"],
  [90 * 86_400, "90 days"],
] as const;

/** Expiry (30 days unless chosen) and an optional password, then the link to copy. */
export function ShareForm(props: {
  create: (body: { expiresInSeconds: number; password?: string }) => Promise<Share>;
  onCreated?: () => void;
}) {
  const [expiry, setExpiry] = useState(30 * 86_400);
  const [password, setPassword] = useState("");
  const [made, setMade] = useState<Share | null>(null);
  return (
    <div class="share-form">
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
        <input
          type="password"
          aria-label="Password (optional)"
          placeholder="Password (optional)"
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <button
          type="button"
          class="btn"
          onClick={async () => {
            try {
              setMade(await props.create({ expiresInSeconds: expiry, ...(password ? { password } : {}) }));
              setPassword("");
              props.onCreated?.();
            } catch (e) {
              toastError(e);
            }
          }}
        >
          Create link
        </button>
      </div>
      {made ? (
        <div class="secret">
          <input readOnly aria-label="Share link" value={made.url} />
          <button type="button" class="btn" onClick={() => copy(made.url)}>
            Copy
          </button>
          <p class="hint">
            Anyone with the link{made.hasPassword ? " and the password" : ""} can open it until it expires. It
            stays in My shares, where you can copy, extend or revoke it.
          </p>
        </div>
      ) : null}
    </div>
  );
}
