import { describe, expect, it } from "vitest";
import { cssProblem, svgProblem } from "../../src/media/svg";

const svg = (body: string, attrs = "") => `<svg xmlns="http://www.w3.org/2000/svg"${attrs}>${body}</svg>`;
const XLINK = ' xmlns:xlink="http://www.w3.org/1999/xlink"';

describe("SVG sanitizer: what passes", () => {
  it("clean drawings, fragment links, inline raster images, editor metadata, data-/aria- attributes", () => {
    expect(
      svgProblem(svg('<rect width="10" height="10" fill="url(#g)"/><linearGradient id="g"/>')),
    ).toBeNull();
    expect(svgProblem(svg('<use xlink:href="#a"/><use href=" #b"/>', XLINK))).toBeNull();
    expect(svgProblem(svg('<image href="data:image/png;base64,iVBORw0KGgo="/>'))).toBeNull();
    expect(svgProblem(svg('<feImage href="data:image/webp;base64,UklG"/>'))).toBeNull();
    expect(
      svgProblem(
        svg(
          '<inkscape:label inkscape:x="1"/><g inkscape:groupmode="layer"/>',
          ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"',
        ),
      ),
    ).toBeNull();
    expect(svgProblem(svg('<g data-name="x" aria-label="y" xml:space="preserve"/>'))).toBeNull();
    expect(
      svgProblem(svg("<style>.a{fill:red}</style><style><![CDATA[.b{fill:url(#g)}]]></style>")),
    ).toBeNull();
    expect(svgProblem(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">${svg("")}`)).toBeNull();
    expect(svgProblem(svg('<animate attributeName="opacity"/>'))).toBeNull();
  });
});

describe("SVG sanitizer: what is refused, and why", () => {
  it("a root that is not <svg> in the SVG namespace", () => {
    expect(svgProblem("<svg/>")).toBe("its root is not an <svg> element in the SVG namespace");
    expect(svgProblem('<g xmlns="http://www.w3.org/2000/svg"/>')).toMatch(/its root is not/);
  });

  it("scripts, foreign objects and unknown elements", () => {
    expect(svgProblem(svg("<script>alert(1)</script>"))).toBe(
      "it contains <script> (http://www.w3.org/2000/svg), which is not allowed",
    );
    expect(svgProblem(svg("<foreignObject/>"))).toMatch(/<foreignObject>/);
    expect(svgProblem(svg('<h:p xmlns:h="http://www.w3.org/1999/xhtml"/>'))).toMatch(
      /<h:p> \(http:\/\/www.w3.org\/1999\/xhtml\)/,
    );
  });

  it("event handlers and attributes in foreign namespaces", () => {
    expect(svgProblem(svg('<rect onclick="x()"/>'))).toBe(
      "it has the attribute onclick (no namespace), which is not allowed",
    );
    expect(svgProblem(svg('<rect xlink:onclick="x"/>', XLINK))).toMatch(/xlink:onclick/);
    expect(svgProblem(svg('<rect xml:base="http://e"/>'))).toMatch(/xml:base/);
    expect(svgProblem(svg('<rect e:x="1" xmlns:e="urn:evil"/>'))).toMatch(/e:x \(urn:evil\)/);
  });

  it("links outside the file, unsafe data URLs, animated links and handlers", () => {
    expect(svgProblem(svg('<use href="https://e/x.svg#a"/>'))).toBe("it links to something outside the file");
    expect(svgProblem(svg('<a xlink:href="javascript:x"/>', XLINK))).toBe(
      "it links to something outside the file",
    );
    expect(svgProblem(svg('<image href="data:image/svg+xml;base64,PHN2Zz4="/>'))).toMatch(/outside the file/);
    // An inline image is fine only on image elements.
    expect(svgProblem(svg('<use href="data:image/png;base64,AAAA"/>'))).toMatch(/outside the file/);
    expect(svgProblem(svg('<set attributeName="xlink:href" to="x"/>'))).toBe(
      "it animates a link or an event handler",
    );
    expect(svgProblem(svg('<animate attributeName=" onbegin"/>'))).toMatch(/animates/);
    expect(svgProblem(svg('<animate attributeName="href"/>'))).toMatch(/animates/);
  });

  it("CSS that fetches, in attributes and in <style>", () => {
    expect(svgProblem(svg('<rect style="fill:url(http://e/x)"/>'))).toBe(
      "its style attribute references an external resource",
    );
    expect(svgProblem(svg('<rect fill="url(&apos;https://e&apos;)"/>'))).toMatch(/its fill attribute/);
    expect(svgProblem(svg("<style>@import 'x.css';</style>"))).toBe("its <style> imports another resource");
    expect(svgProblem(svg("<style><![CDATA[a{b:image(x)}]]></style>"))).toMatch(/its <style> references/);
  });

  it("DTD subsets, processing instructions and XML that is not well-formed", () => {
    expect(svgProblem(`<!DOCTYPE svg [<!ENTITY x "y">]>${svg("")}`)).toBe("it has an internal DTD subset");
    expect(svgProblem(`<?xml-stylesheet href="x"?>${svg("")}`)).toBe(
      "it has a <?xml-stylesheet?> instruction",
    );
    expect(svgProblem(svg("<g>"))).toMatch(/^it is not well-formed XML \(/);
    expect(svgProblem(svg("&ent;"))).toMatch(/not well-formed/);
    expect(svgProblem(svg('<x:g xmlns:x="urn:x"><y:g/></x:g>'))).toMatch(/not well-formed/);
  });

  it("reports the first problem", () => {
    expect(svgProblem(svg('<script/><rect onclick="x"/>'))).toMatch(/<script>/);
  });
});

describe("CSS checks", () => {
  it("lets plain values and fragment urls through", () => {
    expect(cssProblem("red")).toBeNull();
    expect(cssProblem("fill: url(#a); stroke: url( '#b' )")).toBeNull();
    expect(cssProblem("font: 12px/1 sans-serif")).toBeNull();
  });

  it("refuses imports, fetching functions and legacy script hooks", () => {
    expect(cssProblem("@import url(x)")).toBe("imports another resource");
    for (const css of [
      "a:image(x)",
      "a:-webkit-image-set(x 1x)",
      "a:image-set(x 1x)",
      "a:cross-fade(x)",
      "a:element(#x)",
      "a:src(x)",
      "a:expression(alert(1))",
      "-moz-binding:x",
      "behavior: url(x.htc)",
      "background:javascript:x",
    ])
      expect(cssProblem(css), css).toBe("references an external resource or script");
    expect(cssProblem("a:url(x)")).toBe("references an external resource");
    expect(cssProblem('a:url( "http://e" )')).toBe("references an external resource");
    // Not a function call: a word that merely ends like one.
    expect(cssProblem("a:myimage(x)")).toBeNull();
  });

  it("reads escapes and comments as the CSS parser does", () => {
    expect(cssProblem("@\\69mport 'x'")).toBe("imports another resource");
    expect(cssProblem("@\\000069 mport 'x'")).toBe("imports another resource");
    expect(cssProblem("@im\\\nport 'x'")).toBe("imports another resource");
    expect(cssProblem("@im/**/port 'x'")).toBe("imports another resource");
    expect(cssProblem("a:\\75rl(x)")).toBe("references an external resource");
    expect(cssProblem("a:u\\rl(x)")).toBe("references an external resource");
    expect(cssProblem("a:URL(x)")).toBe("references an external resource");
    // Escapes of nothing valid become U+FFFD, which makes no keyword.
    expect(cssProblem("@\\0 import")).toBeNull();
    expect(cssProblem("@\\d800 import")).toBeNull();
    expect(cssProblem("@\\110000 import")).toBeNull();
    // An unclosed comment runs to the end.
    expect(cssProblem("a:b /* url(x)")).toBeNull();
  });
});

describe("SVG sanitizer: what the checks must not over- or under-reach", () => {
  it("only <style> content is read as CSS; text and CDATA elsewhere are words", () => {
    expect(svgProblem(svg("<text>see url(http://e/x) and @import</text>"))).toBeNull();
    expect(svgProblem(svg("<text><![CDATA[url(http://e/x)]]></text>"))).toBeNull();
    // Text and CDATA pieces of one <style> are read together, and after a child element too.
    expect(svgProblem(svg("<style>@imp<![CDATA[ort 'x';]]></style>"))).toBe(
      "its <style> imports another resource",
    );
    expect(svgProblem(svg("<style><g/>@import 'x';</style>"))).toBe("its <style> imports another resource");
  });

  it("namespace declarations are not CSS; editor namespaces' own href is inert", () => {
    expect(svgProblem(svg('<g xmlns:e="urn:x:url(y)"/>'))).toBeNull();
    expect(
      svgProblem(
        svg(
          '<g inkscape:href="http://e/x"/>',
          ' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"',
        ),
      ),
    ).toBeNull();
  });

  it("knows every editor namespace it lets through", () => {
    for (const ns of [
      "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
      "http://ns.adobe.com/Graphs/1.0/",
      "http://ns.adobe.com/ImageReplacement/1.0/",
    ])
      expect(svgProblem(svg(`<x:meta xmlns:x="${ns}"/>`)), ns).toBeNull();
  });

  it("names an element without a namespace as such", () => {
    expect(svgProblem(svg('<g xmlns=""/>'))).toBe("it contains <g> (no namespace), which is not allowed");
  });

  it("data- and aria- attributes only as whole names", () => {
    expect(svgProblem(svg('<g xdata-a="1"/>'))).toMatch(/attribute xdata-a/);
    expect(svgProblem(svg('<g data-\u00e9="1"/>'))).toMatch(/attribute data-/);
  });

  it("inline images: exactly a base64 raster, white space allowed", () => {
    expect(svgProblem(svg('<image href="data:image/png;base64,AAAA AAAA"/>'))).toBeNull();
    expect(svgProblem(svg('<image href="x-data:image/png;base64,AAAA"/>'))).toMatch(/outside the file/);
    expect(svgProblem(svg('<image href="data:image/png;base64,AA#x"/>'))).toMatch(/outside the file/);
  });

  it("animations: only of a link or a handler, and only animation elements", () => {
    expect(svgProblem(svg('<animateTransform attributeName="href"/>'))).toMatch(/animates/);
    expect(svgProblem(svg('<animate attributeName="hreflang"/>'))).toBeNull();
    expect(svgProblem(svg('<animate attributeName="myhref"/>'))).toBeNull();
    expect(svgProblem(svg('<animate attributeName="patternContentUnits"/>'))).toBeNull();
    expect(svgProblem(svg('<g attributeName="onload"/>'))).toBeNull();
  });

  it("says what the XML parser found", () => {
    expect(svgProblem(svg("<g>"))).toMatch(/^it is not well-formed XML \(.{10,}\)$/);
  });

  it("a url( with space before the parenthesis is still a url", () => {
    expect(cssProblem("a:url (http://e/x)")).toBe("references an external resource");
  });
});
