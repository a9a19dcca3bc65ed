import type { ComponentChildren } from "preact";

// The safe Markdown subset of announcements (src/announcements/markdown.ts), drawn as elements —
// never through innerHTML — so whatever the text holds is shown as text. Links only to http(s) and
// mailto (the server refuses others; here they stay plain text all the same).

const INLINE = /(\*\*[^*\n]+\*\*|\*[^*\n]+\*|`[^`\n]+`|\[[^\]\n]*\]\([^)\s]*\))/g;
const SAFE_TARGET = /^(https?:\/\/\S+|mailto:\S+)$/i;

function inline(text: string): ComponentChildren[] {
  return text.split(INLINE).map((part, i) => {
    if (i % 2 === 0) return part;
    if (part.startsWith("**")) return <strong key={i}>{part.slice(2, -2)}</strong>;
    if (part.startsWith("`")) return <code key={i}>{part.slice(1, -1)}</code>;
    if (part.startsWith("*")) return <em key={i}>{part.slice(1, -1)}</em>;
    const link = /^\[([^\]]*)\]\(([^)]*)\)$/.exec(part);
    if (link && SAFE_TARGET.test(link[2]!))
      return (
        <a key={i} href={link[2]} rel="noopener noreferrer" target="_blank">
          {link[1] || link[2]}
        </a>
      );
    return part;
  });
}

export function Markdown({ text }: { text: string }) {
  return (
    <>
      {text.split(/\n{2,}/).map((block, i) => {
        const lines = block.split("\n");
        if (lines.every((l) => /^\s*-\s+/.test(l)))
          return (
            <ul key={i}>
              {lines.map((l, j) => (
                <li key={j}>{inline(l.replace(/^\s*-\s+/, ""))}</li>
              ))}
            </ul>
          );
        return (
          <p key={i}>
            {lines.flatMap((l, j) => (j === 0 ? inline(l) : [<br key={`br${j}`} />, ...inline(l)]))}
          </p>
        );
      })}
    </>
  );
}
