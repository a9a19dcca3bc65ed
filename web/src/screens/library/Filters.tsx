import type { MediaSort } from "../../api";
import { Select } from "../../ui";
import type { LibraryFilters } from "./useLibraryQuery";

const KINDS = ["image", "video", "audio", "document", "archive", "text", "other"];
const SORTS = [
  { value: "-date", label: "Newest first" },
  { value: "date", label: "Oldest first" },
  { value: "-taken", label: "Date taken, newest" },
  { value: "taken", label: "Date taken, oldest" },
  { value: "name", label: "Name A–Z" },
  { value: "-name", label: "Name Z–A" },
  { value: "-size", label: "Largest first" },
  { value: "size", label: "Smallest first" },
] as const satisfies { value: MediaSort; label: string }[];

const value = (e: Event) => (e.target as HTMLInputElement).value;

export function Filters({ f }: { f: LibraryFilters }) {
  return (
    <div class="filters">
      <input
        type="search"
        placeholder="Search names and tags"
        aria-label="Search"
        value={f.q}
        onInput={(e) => f.setQ(value(e))}
      />
      <Select aria-label="Type" value={f.type} onValue={f.setType} all="All types" options={KINDS} />
      <input aria-label="Tag" placeholder="Tag" value={f.tag} onChange={(e) => f.setTag(value(e))} />
      <input type="date" aria-label="From date" value={f.from} onChange={(e) => f.setFrom(value(e))} />
      <input type="date" aria-label="To date" value={f.to} onChange={(e) => f.setTo(value(e))} />
      <Select aria-label="Sort" value={f.sort} onValue={f.setSort} options={SORTS} />
    </div>
  );
}
