import { formatBytes, formatDate, type Media } from "../../api";
import { Thumb } from "./Thumb";
import type { Selection } from "./useSelection";

interface ListProps {
  items: Media[];
  loading: boolean;
  sel: Selection;
  onOpen: (id: string) => void;
}

export function MediaGrid({ items, loading, sel, onOpen }: ListProps) {
  return (
    <ul class="grid" aria-label="Files" aria-busy={loading}>
      {items.map((m) => (
        <li key={m.id} class={`card${sel.selected.has(m.id) ? " selected" : ""}`} data-testid="media-card">
          <input
            type="checkbox"
            class="card-check"
            aria-label={`Select ${m.name}`}
            checked={sel.selected.has(m.id)}
            onChange={() => sel.toggle(m.id)}
          />
          <button type="button" class="card-open" onClick={() => onOpen(m.id)}>
            <span class="thumb">
              <Thumb media={m} />
            </span>
            <span class="card-name" title={m.name}>
              {m.name}
            </span>
            {m.purgeAt ? (
              <span class="card-meta purge">Deleted for good {formatDate(m.purgeAt)}</span>
            ) : (
              <span class="card-meta">{formatBytes(m.size)}</span>
            )}
          </button>
        </li>
      ))}
      {loading && !items.length
        ? Array.from({ length: 8 }, (_, i) => <li key={`s${i}`} class="card skeleton" aria-hidden="true" />)
        : null}
    </ul>
  );
}

export function MediaTable({ items, loading, sel, onOpen }: ListProps) {
  return (
    <table class="table" aria-busy={loading}>
      <thead>
        <tr>
          <th scope="col">
            <span class="sr-only">Select</span>
          </th>
          <th scope="col">Name</th>
          <th scope="col">Folder</th>
          <th scope="col">Type</th>
          <th scope="col">Size</th>
          <th scope="col">Added</th>
        </tr>
      </thead>
      <tbody>
        {items.map((m) => (
          <tr key={m.id} class={sel.selected.has(m.id) ? "selected" : ""}>
            <td>
              <input
                type="checkbox"
                aria-label={`Select ${m.name}`}
                checked={sel.selected.has(m.id)}
                onChange={() => sel.toggle(m.id)}
              />
            </td>
            <td>
              <button type="button" class="linkish row-name" onClick={() => onOpen(m.id)}>
                <span class="mini-thumb">
                  <Thumb media={m} />
                </span>
                {m.name}
              </button>
            </td>
            <td>{m.folder}</td>
            <td>{m.mime}</td>
            <td>{formatBytes(m.size)}</td>
            <td>{formatDate(m.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
