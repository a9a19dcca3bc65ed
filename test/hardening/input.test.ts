import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { csvField } from "../../src/lib/csv";
import { contentDisposition } from "../../src/media/names";
import { svgProblem } from "../../src/media/svg";
import { renderFolder } from "../../src/organize/template";
import { call, expectProblem, newUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";
import { organize, seed } from "../organize/helpers";

describe("CSV cells are quoted and formula prefixes neutralized after separators too (#11)", () => {
  it("quotes every text cell", () => {
    expect(csvField("abc")).toBe('"abc"');
    expect(csvField("")).toBe('""');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
  });

  it("neutralizes a formula at the start and after ; , tab and line breaks (semicolon locales split there)", () => {
    expect(csvField("=1+1")).toBe(`"'=1+1"`);
    expect(csvField('report;=HYPERLINK("http://x")')).toBe(`"report;'=HYPERLINK(""http://x"")"`);
    expect(csvField("a; +cmd|' /C calc'!A0")).toBe(`"a; '+cmd|' /C calc'!A0"`);
    expect(csvField("x,@SUM(A1)")).toBe(`"x,'@SUM(A1)"`);
    expect(csvField("x\t-2+3")).toBe(`"x\t'-2+3"`);
    expect(csvField("one\n=two")).toBe(`"one\n'=two"`);
    expect(csvField("\uFF1D1+1")).toBe(`"'\uFF1D1+1"`);
    // Harmless text keeps its characters.
    expect(csvField("/a;b/c-d.txt")).toBe('"/a;b/c-d.txt"');
  });
});

describe("Content-Disposition's ASCII fallback carries no path (#14)", () => {
  const fallback = (name: string) => /filename="([^"]*)"/.exec(contentDisposition("attachment", name))![1]!;

  it("strips / and \\ and leading dots after NFKD folding", () => {
    for (const name of [
      "‥／‥／etc／passwd",
      "../../etc/passwd",
      "..\\..\\boot.ini",
      "﹒﹒／x",
      ".bashrc",
      "....",
    ]) {
      const value = fallback(name);
      expect(value, name).not.toMatch(/[/\\]/);
      expect(value, name).not.toMatch(/^\./);
      expect(value.length, name).toBeGreaterThan(0);
    }
    expect(fallback("‥／‥／etc／passwd")).toBe("_.._etc_passwd");
    expect(fallback("report.pdf")).toBe("report.pdf");
    // The exact name still travels in filename*.
    expect(contentDisposition("attachment", "‥／x")).toContain("filename*=UTF-8''%E2%80%A5%EF%BC%8Fx");
  });

  it("a download of such a name answers the safe fallback", async () => {
    const user = await newUser();
    const media = await uploadOk(user, "secret", "‥／‥／etc／passwd");
    const res = await call(`/api/v1/media/${media.id}/content`, { token: user.accessToken });
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="_.._etc_passwd";/);
  });
});

describe("category names (#13)", () => {
  it(". and .. and bidi controls are refused at creation with 422", async () => {
    const user = await newUser();
    for (const name of [".", "..", " .. ", "a\u202Egnp.exe", "x\u2066y", "\u200f"]) {
      const res = await call("/api/v1/categories", {
        method: "POST",
        token: user.accessToken,
        json: { name, extensions: [".q"] },
      });
      await expectProblem(res, 422, "invalid_category_name");
    }
  });

  it("a stored category with a name no folder can have never fails a plan", async () => {
    expect(
      renderFolder("/{category}", {
        category: "..",
        createdAt: "2026-01-01",
        takenLocal: null,
        name: "a.q",
        tags: [],
      }),
    ).toBe("/_");
    expect(
      renderFolder("/{category}/{tag}", {
        category: ".",
        createdAt: "2026-01-01",
        takenLocal: null,
        name: "a.q",
        tags: [".."],
      }),
    ).toBe("/_/_");
    const user = await newUser();
    const now = new Date().toISOString();
    // Written straight to D1, as a category made before names were checked would be.
    await env.DB.prepare(
      `INSERT INTO categories (id, owner_id, name, name_key, extensions, mime_types, folder, priority, created_at, updated_at)
       VALUES ('cat_dotdot0000000000000', ?, '..', '..', '[".q"]', '[]', NULL, 100, ?, ?)`,
    )
      .bind(user.id, now, now)
      .run();
    await seed(user.id, [
      {
        name: "x.q",
        folder: "/in",
        mime: "application/octet-stream",
        kind: "other",
        size: 10,
        sha256: "ab".repeat(32),
        createdAt: now,
      },
    ]);
    const plan = await organize(user, {});
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");
    const retried = await env.DB.prepare(
      "SELECT count(*) AS n FROM task_executions WHERE job_id = ? AND outcome IN ('retry', 'failed', 'lost')",
    )
      .bind(plan.id)
      .first<{ n: number }>();
    expect(retried?.n).toBe(0);
    const row = await env.DB.prepare("SELECT folder FROM media WHERE owner_id = ?")
      .bind(user.id)
      .first<{ folder: string }>();
    expect(row?.folder).toBe("/_");
  });
});

describe("SVG sanitizer: a real XML parser, elements and attributes allowed by namespace (#12)", () => {
  const svg = (body: string, attrs = "") =>
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attrs} viewBox="0 0 10 10">${body}</svg>`;

  it("refuses namespace-prefixed script and foreignObject", () => {
    for (const text of [
      svg(`<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>`),
      svg(`<x:foreignObject xmlns:x="http://www.w3.org/2000/svg"><p>hi</p></x:foreignObject>`),
      svg(`<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>`),
      `<q:svg xmlns:q="http://www.w3.org/2000/svg"><q:script>alert(1)</q:script></q:svg>`,
      svg(`<g xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click"/>`),
      svg(`<weird xmlns="urn:unknown"/>`),
    ]) {
      expect(svgProblem(text), text).not.toBeNull();
    }
  });

  it("refuses escaped CSS that spells url( or @import", () => {
    for (const text of [
      svg(`<style>rect { fill: \\75 rl(https://evil.example/x) }</style>`),
      svg(`<style>@\\69mport "https://evil.example/x.css";</style>`),
      svg(`<rect style="background: u\\72 l( 'https://evil.example' )"/>`),
      svg(`<style>rect{fill:url(/**/https://evil.example)}</style>`),
      svg(`<style><![CDATA[@import url(x.css);]]></style>`),
      svg(`<rect fill="url(https://evil.example#a)"/>`),
    ]) {
      expect(svgProblem(text), text).not.toBeNull();
    }
  });

  it("refuses what the old rules refused: handlers, external links, entities, stylesheets", () => {
    for (const text of [
      svg(`<rect onload="alert(1)"/>`),
      svg(`<a xlink:href="javascript:alert(1)"><text>x</text></a>`),
      svg(`<image href="https://evil.example/x.png"/>`),
      svg(`<use href="other.svg#a"/>`),
      `<?xml-stylesheet href="x.css"?>${svg("")}`,
      `<!DOCTYPE svg [<!ENTITY x "y">]>${svg("<text>&x;</text>")}`,
      svg(`<set attributeName="href" to="javascript:alert(1)"/>`),
      `<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>`,
      `<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>`,
      "not xml at all",
    ]) {
      expect(svgProblem(text), text).not.toBeNull();
    }
  });

  it("keeps ordinary SVG from editors: gradients, fragment links, inline raster, Inkscape metadata", () => {
    const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
  xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:cc="http://creativecommons.org/ns#" width="100" height="100" version="1.1" id="svg1"
  inkscape:version="1.3" sodipodi:docname="logo.svg" xml:space="preserve">
  <sodipodi:namedview id="nv" pagecolor="#ffffff" inkscape:zoom="1"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Logo</dc:title></cc:Work></rdf:RDF></metadata>
  <defs><linearGradient id="g"><stop offset="0" style="stop-color:#f00;stop-opacity:1"/></linearGradient>
  <clipPath id="c"><rect width="5" height="5"/></clipPath></defs>
  <style>.a { fill: url(#g); } /* comment */</style>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" clip-path="url(#c)">
    <rect class="a" x="1" y="1" width="8" height="8" rx="1" data-name="box" aria-label="box"/>
    <use xlink:href="#g"/>
    <image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>
    <text x="1" y="9" font-family="sans-serif">Hi &amp; bye</text>
    <animateTransform attributeName="transform" type="rotate" from="0" to="360" dur="2s"/>
  </g>
</svg>`;
    expect(svgProblem(inkscape)).toBeNull();
    expect(svgProblem(svg(`<path d="M0 0L10 10" fill="#000" stroke="none"/>`))).toBeNull();
  });

  it("an upload of a prefixed-script SVG is 422 unsafe_svg", async () => {
    const user = await newUser();
    const res = await call("/api/v1/media", {
      method: "POST",
      token: user.accessToken,
      body: (() => {
        const data = new FormData();
        data.append(
          "file",
          new File([svg(`<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>`)], "x.svg"),
        );
        return data;
      })(),
    });
    await expectProblem(res, 422, "unsafe_svg");
  });
});
