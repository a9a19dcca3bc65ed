/**
 * The safe Markdown subset announcements may use: paragraphs (blank line), line breaks, `- ` lists,
 * **bold**, *italic*, `code` and [links](https://…). Nothing else is markup — HTML is shown as text —
 * and a link may only point to http(s) or mailto, so no announcement can run script or frame a page.
 * The web app renders the same subset (web/src/markdown.tsx) into elements, never into innerHTML.
 */
const LINK = /\[([^\]\n]*)\]\(([^)\s]*)\)/g;
const SAFE_TARGET = /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i;

/** The first link target the subset refuses, or null when every link is safe. */
export function unsafeLink(body: string): string | null {
  for (const match of body.matchAll(LINK)) {
    if (!SAFE_TARGET.test(match[2]!)) return match[2]!;
  }
  return null;
}
