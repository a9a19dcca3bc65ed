// Formats from one trace (issue 16, point 3): every writer's output is parsed back with an
// independent reader (pdf-lib, dxf-parser, the PNG decoder) and checked against the document it was
// written from; PNG pixels against the SVG's render. (Chromium renders the PDF and Ghostscript the EPS
// next to the SVG in test/e2e/formats.e2e.test.mjs.)
import DxfParser, { type IPolylineEntity } from "dxf-parser";
import { PDFDocument, PDFRawStream } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { writeSvg } from "../../src/vectorize/formats/svg";
import { renderFormat, renderPixels } from "../../src/vectorize/render";
import { fromTracerSvg, type VectorDoc } from "../../src/vectorize/vector/document";
import { flattenAdaptive, parsePathData } from "../../src/vectorize/vector/path-data";
import { watermarkLayer } from "../../src/vectorize/watermark";
import { decodeImage } from "../../src/wasm/codecs";
import { getTracer } from "../../src/wasm/index";
import { fixture } from "../helpers/fixtures";
import { renderCase } from "../tracer/centerline-cases";

const tracer = getTracer();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const decodePng = (b: Uint8Array) => decodeImage("image/png", b.slice().buffer);

/** a fill with opacity, a linear, a bilinear and a radial gradient, and a stroke: every kind of paint */
const painted: VectorDoc = {
  v: 1,
  width: 120,
  height: 80,
  gradients: [
    {
      id: "g0",
      kind: "linear",
      x1: 0,
      y1: 0,
      x2: 120,
      y2: 0,
      stops: [
        { offset: 0, color: "#ff0000" },
        { offset: 0.5, color: "#00ff00" },
        { offset: 1, color: "#0000ff" },
      ],
    },
    {
      id: "g1",
      kind: "radial",
      cx: 90,
      cy: 40,
      r: 20,
      stops: [
        { offset: 0, color: "#ffffff" },
        { offset: 1, color: "#000000" },
      ],
    },
    {
      id: "g2",
      kind: "bilinear",
      x1: 0,
      y1: 40,
      x2: 60,
      y2: 80,
      stops: [],
      corners: ["#ff0000", "#00ff00", "#0000ff", "#ffff00"],
    },
  ],
  layers: [
    { gradient: "g0", d: "m0 0h120v40h-120z" },
    { gradient: "g2", d: "m0 40h60v40h-60z" },
    { fill: "#336699", fillOpacity: 0.5, d: "m10 45h50v30h-50z" },
    { gradient: "g1", d: "m70 20h40v40h-40z" },
    { stroke: "#000000", strokeWidth: 3, d: "m5 78c30-20 80-20 110 0" },
  ],
};

async function docs(): Promise<Array<[string, VectorDoc]>> {
  const rubik = await tracer.traceImage(await fixture("recreation__toys__rubik.png"), { preset: "logo" });
  const house = await tracer.traceImage(await fixture("buildings__homes__my_house_01.png"), {
    mode: "centerline",
    maxPixels: 200_000,
  });
  const lines = tracer.traceRgba(
    renderCase({
      name: "t",
      kind: "t-junction",
      size: 96,
      width: 4,
      strokes: [
        [14, 24, 82, 24],
        [48, 24, 48, 84],
      ],
    }),
    { mode: "centerline" },
  );
  const watermarked = fromTracerSvg(rubik.svg);
  watermarked.layers.push(watermarkLayer(watermarked.width, watermarked.height));
  return [
    ["colour trace", fromTracerSvg(rubik.svg)],
    ["centerline trace", fromTracerSvg(house.svg)],
    ["centerline T", fromTracerSvg(lines.svg)],
    ["gradients, opacity and a stroke", painted],
    ["watermarked", watermarked],
  ];
}

async function inflate(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}

const subpaths = (doc: VectorDoc) => doc.layers.reduce((n, l) => n + (l.d.match(/m/gi)?.length ?? 0), 0);

describe("every format parses back to the document it was written from", async () => {
  for (const [name, doc] of await docs()) {
    it(`${name}: SVG is the tracer's SVG`, async () => {
      const svg = text((await renderFormat(doc, "svg")).body);
      expect(fromTracerSvg(svg)).toEqual(doc);
    });

    it(`${name}: PDF (pdf-lib)`, async () => {
      const { body, contentType } = await renderFormat(doc, "pdf");
      expect(contentType).toBe("application/pdf");
      const pdf = await PDFDocument.load(body);
      expect(pdf.getPageCount()).toBe(1);
      const { width, height } = pdf.getPage(0).getSize();
      expect(width).toBeCloseTo(doc.width * 0.75, 2);
      expect(height).toBeCloseTo(doc.height * 0.75, 2);
      const contents = pdf.getPage(0).node.Contents();
      expect(contents).toBeInstanceOf(PDFRawStream);
      const ops = await inflate((contents as PDFRawStream).getContents());
      // one fill, stroke or shading per layer, one move per sub-path, the page transform first
      expect(ops.startsWith("0.75 0 0 -0.75 0 ")).toBe(true);
      const painted = (ops.match(/^(f|S|\/Sh\d+ sh|\/G\d+ gs \/Sh\d+ sh)$/gm) ?? []).length;
      expect(painted).toBe(doc.layers.filter((l) => l.d.length > 0).length);
      expect((ops.match(/ m$/gm) ?? []).length).toBe(subpaths(doc));
      const resources = pdf.getPage(0).node.Resources()!;
      const shading = resources.lookup(pdf.context.obj("Shading") as never);
      if (doc.gradients.length) expect(shading).toBeDefined();
    });

    it(`${name}: EPS`, async () => {
      const eps = text((await renderFormat(doc, "eps")).body);
      const lines = eps.split("\n");
      expect(lines[0]).toBe("%!PS-Adobe-3.0 EPSF-3.0");
      expect(eps).toContain(
        `%%BoundingBox: 0 0 ${Math.ceil(doc.width * 0.75)} ${Math.ceil(doc.height * 0.75)}`,
      );
      expect(eps.trimEnd().endsWith("%%EOF")).toBe(true);
      expect((eps.match(/^q$/gm) ?? []).length).toBe((eps.match(/^Q$/gm) ?? []).length);
      expect((eps.match(/ m$/gm) ?? []).length).toBe(subpaths(doc));
      expect((eps.match(/shfill$/gm) ?? []).length).toBe(doc.layers.filter((l) => l.gradient).length);
    });

    it(`${name}: DXF (dxf-parser)`, async () => {
      const dxf = text((await renderFormat(doc, "dxf")).body);
      const parsed = new DxfParser().parseSync(dxf)!;
      const polylines = parsed.entities.filter((e): e is IPolylineEntity => e.type === "POLYLINE");
      const expected = doc.layers.flatMap((l) =>
        flattenAdaptive(parsePathData(l.d), 0.1)
          .filter((p) => p.points.length >= 4)
          .map((p) => ({ layer: l, ...p })),
      );
      expect(polylines).toHaveLength(expected.length);
      polylines.forEach((pl, i) => {
        const want = expected[i]!;
        expect(pl.layer).toMatch(want.layer.stroke ? /^STROKE_[0-9a-f]{6}$/ : /^FILL_[0-9a-f]{6}$/);
        expect(Boolean(pl.shape)).toBe(want.closed);
        // every vertex where the path's point is, y flipped (to the writer's 3 decimals)
        for (let k = 0; k < pl.vertices.length; k++) {
          expect(Math.abs(pl.vertices[k]!.x - want.points[2 * k]!)).toBeLessThan(0.001);
          expect(Math.abs(pl.vertices[k]!.y - (doc.height - want.points[2 * k + 1]!))).toBeLessThan(0.001);
        }
      });
      expect(Object.keys(parsed.tables.layer.layers).sort()).toEqual(
        [...new Set(polylines.map((p) => p.layer))].sort(),
      );
    });

    it(`${name}: PNG is the SVG's render, pixel for pixel`, async () => {
      const { body, contentType } = await renderFormat(doc, "png");
      expect(contentType).toBe("image/png");
      const png = await decodePng(body);
      expect([png.width, png.height]).toEqual([Math.round(doc.width), Math.round(doc.height)]);
      const svg = await renderPixels(writeSvg(doc), png.width, png.height);
      // the same pixels (straight alpha both; demultiplying rounds by at most 1 where alpha is low)
      let diff = 0;
      for (let i = 0; i < svg.data.length; i += 4) {
        const a = png.data[i + 3]!;
        diff = Math.max(diff, Math.abs(svg.data[i + 3]! - a));
        for (let c = 0; c < 3 && a > 0; c++)
          diff = Math.max(diff, Math.abs(svg.data[i + c]! - png.data[i + c]!) * (a / 255));
      }
      expect(diff).toBeLessThanOrEqual(1);
    });
  }
});

describe("PNG size", () => {
  it("`width` scales it, keeping the aspect; never more than 4096 px a side", async () => {
    const small = await decodePng((await renderFormat(painted, "png", { width: 60 })).body);
    expect([small.width, small.height]).toEqual([60, 40]);
    const huge = await decodePng((await renderFormat({ ...painted, width: 9000, height: 100 }, "png")).body);
    expect(huge.width).toBe(4096);
  });
});
