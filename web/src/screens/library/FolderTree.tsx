import type { FolderNode } from "../../api";
import type { FolderAction } from "./FolderDialogs";

/** The folder tree of the sidebar, each folder with its file count (sub-folders included) and its actions. */
export function FolderItem(props: {
  node: FolderNode | null;
  current: string | null;
  onPick: (p: string) => void;
  onAction: (a: FolderAction) => void;
  onShare: (folder: string) => void;
  depth: number;
}) {
  const { node } = props;
  const path = node?.path ?? "/";
  const label = props.depth === 0 ? "All files" : (node?.name ?? "");
  const active = props.current === path;
  return (
    <li>
      <div class={`tree-row${active ? " active" : ""}`}>
        <button
          type="button"
          class={`tree-item${active ? " active" : ""}`}
          aria-current={active ? "true" : undefined}
          style={{ paddingLeft: `${0.5 + props.depth * 0.9}rem` }}
          onClick={() => props.onPick(path)}
        >
          <span class="tree-name">{label}</span>
          <span class="tree-count">{node ? node.totalFiles : ""}</span>
        </button>
        {active && props.depth > 0 && node ? (
          <span class="tree-actions">
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Rename folder ${label}`}
              onClick={() => props.onAction({ kind: "rename", path })}
            >
              Rename
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Share folder ${label}`}
              onClick={() => props.onShare(path)}
            >
              Share
            </button>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Delete folder ${label}`}
              onClick={() => props.onAction({ kind: "delete", path, files: node.totalFiles })}
            >
              Delete
            </button>
          </span>
        ) : null}
      </div>
      {node?.children.length ? (
        <ul>
          {node.children.map((c) => (
            <FolderItem
              key={c.path}
              node={c}
              current={props.current}
              onPick={props.onPick}
              onAction={props.onAction}
              onShare={props.onShare}
              depth={props.depth + 1}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
