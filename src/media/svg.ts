/**
 * SVG policy: refuse, don't repair. An SVG with anything that can run code or fetch from elsewhere
 * is refused with the reason; clean SVG is stored byte for byte. Matching is deliberately
 * conservative (a false alarm is a 422 the user can fix; a miss is stored XSS), and content is served
 * with `Content-Security-Policy: sandbox` as a second line anyway.
 */
export const MAX_SVG_BYTES = 5 * 1024 * 1024;

const RULES: [RegExp, string][] = [
  [/<\s*script[\s>/]/i, "it contains a <script> element"],
  [/[\s/"'`]on[a-z]+\s*=/i, "it has an event-handler attribute (on…=)"],
  [/<\s*foreignObject[\s>/]/i, "it contains <foreignObject>"],
  [/<\s*(iframe|embed|object|audio|video|handler|listener)[\s>/]/i, "it embeds active content"],
  [/<!ENTITY/i, "it declares XML entities"],
  [/<!DOCTYPE[^>]*\[/i, "it has an internal DTD subset"],
  [/<\?xml-stylesheet/i, "it references a stylesheet"],
  [/javascript:|vbscript:|livescript:/i, "it contains a script URL"],
  [/@import/i, "its style imports another resource"],
  [/url\(\s*['"]?\s*(?!#)[^)\s]/i, "its style references an external resource"],
  [/<\s*set[\s>/][^>]*attributeName\s*=\s*['"]?(href|xlink:href|on)/i, "it animates a link or handler"],
  [/<\s*animate[^>]*attributeName\s*=\s*['"]?(href|xlink:href|on)/i, "it animates a link or handler"],
];

const HREF = /(?:xlink:)?href\s*=\s*(["'])([\s\S]*?)\1/gi;
const SAFE_DATA = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

/** Returns why the SVG is refused, or null when it is clean. */
export function svgProblem(text: string): string | null {
  for (const [pattern, why] of RULES) if (pattern.test(text)) return why;
  for (const match of text.matchAll(HREF)) {
    const target = match[2]!.trim();
    if (!target.startsWith("#") && !SAFE_DATA.test(target)) return "it links to an external resource";
  }
  if (/(?:xlink:)?href\s*=\s*[^"'\s>]/i.test(text)) return "it has an unquoted link";
  return null;
}
