import type { FolderNode } from "../../api";

/** The folder tree of the sidebar, each folder with its file count (sub-folders included). */
export function FolderItem(props: {
  node: FolderNode | null;
  current: string | null;
  onPick: (p: string) => void;
  depth: number;
}) {
  const { node } = props;
  const path = node?.path ?? "/";
  const label = props.depth === 0 ? "All files" : (node?.name ?? "");
  return (
    <li>
      <button
        type="button"
        class={`tree-item${props.current === path ? " active" : ""}`}
        aria-current={props.current === path ? "true" : undefined}
        style={{ paddingLeft: `${0.5 + props.depth * 0.9}rem` }}
        onClick={() => props.onPick(path)}
      >
        <span class="tree-name">{label}</span>
        <span class="tree-count">{node ? node.totalFiles : ""}</span>
      </button>
      {node?.children.length ? (
        <ul>
          {node.children.map((c) => (
            <FolderItem
              key={c.path}
              node={c}
              current={props.current}
              onPick={props.onPick}
              depth={props.depth + 1}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
