import { formatBytes, type Media } from "../../api";

/** Type, size and (for images) dimensions: the first lines of every file's facts. */
export function FileFacts({ m }: { m: Media }) {
  return (
    <>
      <dt>Type</dt>
      <dd>{m.mime}</dd>
      <dt>Size</dt>
      <dd>{formatBytes(m.size)}</dd>
      {m.width ? (
        <>
          <dt>Dimensions</dt>
          <dd>
            {m.width} × {m.height}
          </dd>
        </>
      ) : null}
    </>
  );
}
