import { useEffect, useRef, useState } from "preact/hooks";
import { call, formatDate, type Media, url } from "../../api";
import { ErrorBox, navigate, showFormError, TextField, toast, toastError, useLoad } from "../../ui";
import { FileFacts } from "./FileFacts";
import { Shares } from "./Shares";

/** The details panel of one file: preview, facts, download, vectorize, trash/restore, edit, share links. */
export function Details(props: { id: string; onClose: () => void; onChanged: () => void }) {
  const { data, error, reload } = useLoad(
    () => call<{ media: Media }>("mediaOne", { params: { id: props.id } }),
    [props.id],
  );
  const m = data?.media;
  const [name, setName] = useState("");
  const [folder, setFolder] = useState("");
  const [tags, setTags] = useState("");
  const [fieldErr, setFieldErr] = useState<Record<string, string>>({});
  const headRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (m) {
      setName(m.name);
      setFolder(m.folder);
      setTags(m.tags.join(", "));
    }
  }, [m?.updatedAt]);
  useEffect(() => headRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    setFieldErr({});
    try {
      await call("patchMedia", {
        params: { id: props.id },
        body: {
          name: name.trim(),
          folder: folder.trim() || "/",
          tags: tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        },
      });
      toast("Saved.", "ok");
      reload();
      props.onChanged();
    } catch (err) {
      showFormError(err, setFieldErr);
    }
  };
  const act = async (fn: () => Promise<unknown>, msg: string, close = false) => {
    try {
      await fn();
      toast(msg, "ok");
      props.onChanged();
      if (close) props.onClose();
      else reload();
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <aside class="details" aria-labelledby="details-title">
      <div class="details-head">
        <h2 id="details-title" tabIndex={-1} ref={headRef}>
          {m?.name ?? "File"}
        </h2>
        <button type="button" class="btn btn-ghost" aria-label="Close details" onClick={props.onClose}>
          ✕
        </button>
      </div>
      <ErrorBox error={error} />
      {m ? (
        <>
          <div class="details-preview">
            <img src={m.thumbnailUrl} alt={m.name} />
          </div>
          <dl class="meta">
            <FileFacts m={m} />
            <dt>Added</dt>
            <dd>{formatDate(m.createdAt)}</dd>
            <dt>SHA-256</dt>
            <dd class="mono ellipsis" title={m.sha256}>
              {m.sha256.slice(0, 16)}…
            </dd>
          </dl>
          <div class="btn-row">
            <a class="btn" href={`${m.contentUrl}?download=true`} download={m.name}>
              Download
            </a>
            {m.kind === "image" && !m.trashedAt ? (
              <button type="button" class="btn" onClick={() => navigate(`/vectorize?media=${m.id}`)}>
                Vectorize
              </button>
            ) : null}
            {m.trashedAt ? (
              <>
                <button
                  type="button"
                  class="btn"
                  onClick={() => act(() => call("restoreMedia", { params: { id: m.id } }), "Restored.", true)}
                >
                  Restore
                </button>
                <button
                  type="button"
                  class="btn btn-danger"
                  onClick={() =>
                    confirm(`Delete “${m.name}” for good? This can't be undone.`) &&
                    act(
                      () => call("deleteMedia", { params: { id: m.id }, query: { purge: "true" } }),
                      "Deleted for good.",
                      true,
                    )
                  }
                >
                  Delete forever
                </button>
              </>
            ) : (
              <button
                type="button"
                class="btn btn-danger"
                onClick={() =>
                  act(() => call("deleteMedia", { params: { id: m.id } }), "Moved to trash.", true)
                }
              >
                Move to trash
              </button>
            )}
          </div>
          {!m.trashedAt ? (
            <form onSubmit={save} class="details-form">
              <TextField label="Name" error={fieldErr.name} value={name} onValue={setName} />
              <TextField label="Folder" error={fieldErr.folder} value={folder} onValue={setFolder} />
              <TextField
                label="Tags (comma separated)"
                error={fieldErr.tags}
                value={tags}
                onValue={setTags}
              />
              <button class="btn btn-primary" type="submit">
                Save changes
              </button>
            </form>
          ) : null}
          {!m.trashedAt ? <Shares media={m} onAct={act} /> : null}
        </>
      ) : (
        <div class="skeleton details-skeleton" />
      )}
      <p class="hint">
        Direct link: <code>{url("content", { id: props.id })}</code>
      </p>
    </aside>
  );
}
