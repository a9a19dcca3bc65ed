import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from "saxes";

/**
 * SVG policy: refuse, don't repair. The file is parsed as XML with namespaces resolved (saxes, a
 * strict XML 1.0 parser), and every element and attribute must be on an allow-list *by namespace*:
 * a `<s:script xmlns:s="…svg">` is the SVG namespace's `script`, however it is spelled, and an
 * element or attribute in a namespace we don't know is refused. Links may only point inside the
 * file (`#id`, or an inline raster image); CSS — `<style>`, `style=""` and every attribute value —
 * is checked after its escapes are decoded (`\75 rl(` is `url(`). Clean SVG is stored byte for
 * byte; a false alarm is a 422 the user can fix, a miss is stored XSS. Content is also served with
 * `Content-Security-Policy: sandbox`, so this is defence in depth.
 */
export const MAX_SVG_BYTES = 5 * 1024 * 1024;

const NS = {
  svg: "http://www.w3.org/2000/svg",
  xlink: "http://www.w3.org/1999/xlink",
  xml: "http://www.w3.org/XML/1998/namespace",
  xmlns: "http://www.w3.org/2000/xmlns/",
};

/** Editors' metadata namespaces: browsers render nothing of them and run nothing in them. */
const INERT_NAMESPACES = new Set([
  "http://www.inkscape.org/namespaces/inkscape",
  "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
  "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  "http://purl.org/dc/elements/1.1/",
  "http://purl.org/dc/terms/",
  "http://creativecommons.org/ns#",
  "http://web.resource.org/cc/",
  "http://www.bohemiancoding.com/sketch/ns",
  "http://ns.adobe.com/AdobeIllustrator/10.0/",
  "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
  "http://ns.adobe.com/Extensibility/1.0/",
  "http://ns.adobe.com/Graphs/1.0/",
  "http://ns.adobe.com/Variables/1.0/",
  "http://ns.adobe.com/SaveForWeb/1.0/",
  "http://ns.adobe.com/ImageReplacement/1.0/",
  "http://ns.adobe.com/GenericCustomNamespace/1.0/",
  "http://ns.adobe.com/XPath/1.0/",
]);

const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean));

/** SVG 1.1 and SVG 2 elements that draw, define or describe; no script, foreignObject or handlers. */
const SVG_ELEMENTS = words(`
  a altGlyph altGlyphDef altGlyphItem animate animateColor animateMotion animateTransform circle clipPath
  color-profile cursor defs desc ellipse feBlend feColorMatrix feComponentTransfer feComposite
  feConvolveMatrix feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
  feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight
  feSpecularLighting feSpotLight feTile feTurbulence filter font font-face font-face-format font-face-name
  font-face-src font-face-uri g glyph glyphRef hatch hatchpath hkern image line linearGradient marker mask
  metadata missing-glyph mpath path pattern polygon polyline radialGradient rect set solidcolor stop style
  svg switch symbol text textPath title tref tspan use view vkern`);

/** Attributes without a namespace that SVG elements may carry (geometry, presentation, text, animation). */
const SVG_ATTRIBUTES = words(`
  accent-height accumulate additive alignment-baseline allowReorder alphabetic amplitude arabic-form ascent
  attributeName attributeType azimuth baseFrequency baseline-shift baseProfile bbox begin bias by calcMode
  cap-height class clip clip-path clip-rule clipPathUnits color color-interpolation
  color-interpolation-filters color-profile color-rendering contentScriptType contentStyleType crossorigin
  cursor cx cy d decoding descent diffuseConstant direction display divisor dominant-baseline dur dx dy
  edgeMode elevation enable-background end exponent fill fill-opacity fill-rule filter filterRes
  filterUnits flood-color flood-opacity font-family font-size font-size-adjust font-stretch font-style
  font-variant font-weight format fr from fx fy g1 g2 glyph-name glyph-orientation-horizontal
  glyph-orientation-vertical glyphRef gradientTransform gradientUnits hanging height horiz-adv-x
  horiz-origin-x horiz-origin-y href hreflang id ideographic image-rendering in in2 inline-size intercept
  isolation k k1 k2 k3 k4 kernelMatrix kernelUnitLength kerning keyPoints keySplines keyTimes lang
  lengthAdjust letter-spacing lighting-color limitingConeAngle local marker-end marker-mid marker-start
  markerHeight markerUnits markerWidth mask mask-type maskContentUnits maskUnits mathematical max media
  method min mix-blend-mode mode name numOctaves offset opacity operator order orient orientation origin
  overflow overline-position overline-thickness paint-order panose-1 path pathLength patternContentUnits
  patternTransform patternUnits pointer-events points pointsAtX pointsAtY pointsAtZ preserveAlpha
  preserveAspectRatio primitiveUnits r radius refX refY rendering-intent repeatCount repeatDur
  requiredExtensions requiredFeatures restart result role rotate rx ry scale seed shape-rendering side
  slope spacing specularConstant specularExponent spreadMethod startOffset stdDeviation stemh stemv
  stitchTiles stop-color stop-opacity strikethrough-position strikethrough-thickness string stroke
  stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity
  stroke-width style surfaceScale systemLanguage tabindex tableValues target targetX targetY text-anchor
  text-decoration text-rendering text-overflow textLength title to transform transform-box
  transform-origin type u1 u2 underline-position underline-thickness unicode unicode-bidi unicode-range
  units-per-em v-alphabetic v-hanging v-ideographic v-mathematical values vector-effect version
  vert-adv-y vert-origin-x vert-origin-y viewBox viewTarget visibility white-space width widths
  word-spacing writing-mode x x-height x1 x2 xChannelSelector y y1 y2 yChannelSelector z zoomAndPan`);

const XLINK_ATTRIBUTES = words("href title type role arcrole show actuate");
const XML_ATTRIBUTES = words("space lang");
/** Elements whose link may be an inline raster image rather than a fragment. */
const IMAGE_ELEMENTS = new Set(["image", "feImage"]);
const ANIMATIONS = new Set(["animate", "animateColor", "animateMotion", "animateTransform", "set"]);

const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

/** Returns why the SVG is refused, or null when it is clean. */
export function svgProblem(text: string): string | null {
  const refusal = { why: null as string | null };
  const refuse = (why: string) => {
    refusal.why ??= why;
  };
  const parser = new SaxesParser({ xmlns: true, position: false });
  let depth = 0;
  let styleText: string[] | null = null;

  parser.on("doctype", (doctype) => {
    if (doctype.includes("[")) refuse("it has an internal DTD subset");
  });
  parser.on("processinginstruction", (pi) => refuse(`it has a <?${pi.target}?> instruction`));
  parser.on("opentag", (tag) => {
    if (depth === 0 && !(tag.uri === NS.svg && tag.local === "svg"))
      refuse("its root is not an <svg> element in the SVG namespace");
    depth += 1;
    const why = elementProblem(tag);
    if (why) refuse(why);
    if (tag.uri === NS.svg && tag.local === "style") styleText = [];
  });
  parser.on("text", (t) => styleText?.push(t));
  parser.on("cdata", (t) => styleText?.push(t));
  parser.on("closetag", (tag) => {
    depth -= 1;
    if (tag.uri === NS.svg && tag.local === "style" && styleText) {
      const why = cssProblem(styleText.join(""));
      if (why) refuse(`its <style> ${why}`);
      styleText = null;
    }
  });
  try {
    parser.write(text).close();
  } catch (error) {
    // saxes stops at the first well-formedness or namespace error (undeclared prefix, undefined entity, …).
    return `it is not well-formed XML (${error instanceof Error ? error.message.split("\n")[0] : error})`;
  }
  return refusal.why;
}

function elementProblem(tag: SaxesTagNS): string | null {
  const inert = INERT_NAMESPACES.has(tag.uri);
  if (!inert && !(tag.uri === NS.svg && SVG_ELEMENTS.has(tag.local)))
    return `it contains <${tag.name}> (${tag.uri || "no namespace"}), which is not allowed`;
  for (const attr of Object.values(tag.attributes)) {
    const why = attributeProblem(tag, attr, inert);
    if (why) return why;
  }
  return null;
}

/** Whether an attribute may appear at all (by its namespace and name); inert elements keep any plain one. */
function attributeAllowed(uri: string, local: string, inert: boolean): boolean {
  if (uri === "") return inert || SVG_ATTRIBUTES.has(local) || /^(data|aria)-[a-z0-9_.-]+$/i.test(local);
  if (uri === NS.xlink) return XLINK_ATTRIBUTES.has(local);
  if (uri === NS.xml) return XML_ATTRIBUTES.has(local);
  return uri === NS.xmlns || INERT_NAMESPACES.has(uri);
}

function attributeProblem(tag: SaxesTagNS, attr: SaxesAttributeNS, inert: boolean): string | null {
  const { uri, local, value, name } = attr;
  if (!attributeAllowed(uri, local, inert))
    return `it has the attribute ${name} (${uri || "no namespace"}), which is not allowed`;
  if (uri === NS.xmlns) return null;
  if (local === "href" && (uri === "" || uri === NS.xlink)) {
    const target = value.trim();
    const inline = IMAGE_ELEMENTS.has(tag.local) && SAFE_DATA_IMAGE.test(target);
    if (!target.startsWith("#") && !inline) return "it links to something outside the file";
  }
  if (ANIMATIONS.has(tag.local) && local === "attributeName" && /^(?:[a-z]+:)?href$|^on/i.test(value.trim()))
    return "it animates a link or an event handler";
  const css = cssProblem(value);
  return css ? `its ${name} attribute ${css}` : null;
}

/** CSS escapes as the CSS parser reads them: `\75 ` and `\000075` are `u`, `\@` is `@`, `\⏎` is nothing. */
function decodeCssEscapes(css: string): string {
  return css.replace(
    /\\(?:([0-9a-f]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S]))/gi,
    (_, hex, nl, ch) => {
      if (hex) {
        const code = Number.parseInt(hex, 16);
        return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
          ? "\ufffd"
          : String.fromCodePoint(code);
      }
      return nl ? "" : ch;
    },
  );
}

/** Functions that fetch a resource (other than `url(#fragment)`), and legacy script hooks. */
const FETCHING =
  /(?:^|[^a-z0-9_-])(?:image-set|-webkit-image-set|image|cross-fade|element|src)\s*\(|expression\s*\(|-moz-binding|behavior\s*:|javascript:/;

/** Why a piece of CSS (or any attribute value, read as CSS) is refused, or null. */
export function cssProblem(raw: string): string | null {
  if (!/[\\@(:]/.test(raw)) return null;
  const css = decodeCssEscapes(raw.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, "")).toLowerCase();
  if (/@import/.test(css)) return "imports another resource";
  if (FETCHING.test(css)) return "references an external resource or script";
  for (const match of css.matchAll(/url\s*\(\s*(['"]?)\s*([^'")]*)/g)) {
    if (!match[2]!.trim().startsWith("#")) return "references an external resource";
  }
  return null;
}
