/**
 * The palette (`palette` option): when on, every colour of the result is one of these. Colours are
 * added with a colour picker, removed one by one; "From result" takes the colours the last trace used.
 */
export function PaletteEditor(props: {
  palette: string[] | null;
  setPalette: (p: string[] | null) => void;
  suggestions: string[];
}) {
  const { palette, setPalette } = props;
  const on = palette !== null;
  const list = palette ?? [];
  return (
    <fieldset class="palette" data-testid="palette">
      <legend>Palette</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) =>
            setPalette(
              (e.target as HTMLInputElement).checked ? (list.length ? list : ["#000000", "#ffffff"]) : null,
            )
          }
        />
        Snap colours to a palette
      </label>
      {on ? (
        <>
          <ul class="palette-list" aria-label="Palette colours">
            {list.map((c, i) => (
              <li key={`${c}-${i}`}>
                <input
                  type="color"
                  value={c}
                  aria-label={`Palette colour ${i + 1}`}
                  onInput={(e) => {
                    const next = [...list];
                    next[i] = (e.target as HTMLInputElement).value;
                    setPalette(next);
                  }}
                />
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  aria-label={`Remove ${c}`}
                  disabled={list.length <= 1}
                  onClick={() => setPalette(list.filter((_, k) => k !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <div class="row">
            <button
              type="button"
              class="btn btn-sm"
              disabled={list.length >= 64}
              onClick={() => setPalette([...list, "#808080"])}
            >
              Add colour
            </button>
            {props.suggestions.length ? (
              <button
                type="button"
                class="btn btn-sm"
                onClick={() => setPalette(props.suggestions.slice(0, 64))}
              >
                From result
              </button>
            ) : null}
          </div>
        </>
      ) : null}
    </fieldset>
  );
}
