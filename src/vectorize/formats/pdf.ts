/**
 * PDF 1.4 of a vector document: one page the size of the source (px as CSS px, 0.75 pt each), the
 * drawing as a deflated content stream, opacity through ExtGState, gradients as shadings (bilinear
 * fills as Coons patches).
 */
import type { Gradient, VectorDoc } from "../vector/document";
import { coonsPatch, drawingProgram, num, PT_PER_PX, shadingDict } from "./program";

async function deflate(text: string): Promise<Uint8Array> {
  // CompressionStream("deflate") is zlib-wrapped deflate: exactly PDF's FlateDecode
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A bilinear fill as a Coons patch shading: PDF wants its data as a stream (here ASCII hex: a flag
 * byte, 32-bit coordinates over the patch's box, 16-bit colour components).
 */
function patchShading(g: Gradient): string {
  const { coords, colours } = coonsPatch(g);
  const xs = coords.filter((_, i) => i % 2 === 0);
  const ys = coords.filter((_, i) => i % 2 === 1);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const hex = (v: number, bits: number) =>
    Math.round(Math.min(1, Math.max(0, v)) * (2 ** bits - 1))
      .toString(16)
      .padStart(bits / 4, "0");
  const data = [
    "00",
    ...coords.map((v, i) =>
      i % 2 === 0 ? hex((v - x0) / (x1 - x0 || 1), 32) : hex((v - y0) / (y1 - y0 || 1), 32),
    ),
    ...colours.map((v) => hex(v, 16)),
  ].join("");
  const decode = [x0, x1, y0, y1, 0, 1, 0, 1, 0, 1].map(num).join(" ");
  const stream = `${data}>`;
  return `<< /ShadingType 6 /ColorSpace /DeviceRGB /BitsPerCoordinate 32 /BitsPerComponent 16 /BitsPerFlag 8 /Decode [${decode}] /Filter /ASCIIHexDecode /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
}

export async function writePdf(doc: VectorDoc): Promise<Uint8Array> {
  const states = new Map<string, string>();
  const shadings = new Map<Gradient, string>();
  const opacity = (alpha: number, stroke: boolean) => {
    if (alpha >= 1) return "";
    const key = `${stroke ? "CA" : "ca"} ${num(alpha)}`;
    if (!states.has(key)) states.set(key, `G${states.size}`);
    return `/${states.get(key)} gs `;
  };
  const body = drawingProgram(doc, {
    colour: ([r, g, b], alpha, stroke) =>
      `${opacity(alpha, stroke)}${num(r)} ${num(g)} ${num(b)} ${stroke ? "RG" : "rg"}`,
    gradient(g, alpha) {
      if (!shadings.has(g)) shadings.set(g, `Sh${shadings.size}`);
      return `${opacity(alpha, false)}/${shadings.get(g)} sh`;
    },
  });
  const w = doc.width * PT_PER_PX;
  const h = doc.height * PT_PER_PX;
  const content = await deflate(`${num(PT_PER_PX)} 0 0 ${num(-PT_PER_PX)} 0 ${num(h)} cm\n${body}\n`);

  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const add = (part: string | Uint8Array) => {
    const bytes = typeof part === "string" ? enc.encode(part) : part;
    chunks.push(bytes);
    length += bytes.byteLength;
  };
  const object = (id: number, text: string) => {
    offsets[id] = length;
    add(`${id} 0 obj\n${text}\nendobj\n`);
  };
  // objects: 1 catalog, 2 pages, 3 page, 4 contents, 5 info, then ExtGStates and shadings
  let next = 6;
  const stateRefs = [...states].map(([key, name]) => ({ key, name, id: next++ }));
  const shadingRefs = [...shadings].map(([g, name]) => ({ g, name, id: next++ }));
  const resources = [
    stateRefs.length ? `/ExtGState << ${stateRefs.map((s) => `/${s.name} ${s.id} 0 R`).join(" ")} >>` : "",
    shadingRefs.length ? `/Shading << ${shadingRefs.map((s) => `/${s.name} ${s.id} 0 R`).join(" ")} >>` : "",
  ].join(" ");

  add("%PDF-1.4\n");
  // a comment of bytes above 127 tells transfer tools the file is binary
  add(new Uint8Array([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  object(
    3,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(w)} ${num(h)}] /Resources << ${resources} >> /Contents 4 0 R >>`,
  );
  offsets[4] = length;
  add(`4 0 obj\n<< /Length ${content.byteLength} /Filter /FlateDecode >>\nstream\n`);
  add(content);
  add("\nendstream\nendobj\n");
  object(5, "<< /Producer (Edgecraft) /Creator (Edgecraft vectorizer) >>");
  for (const s of stateRefs) object(s.id, `<< /Type /ExtGState /${s.key} >>`);
  for (const s of shadingRefs) object(s.id, s.g.kind === "bilinear" ? patchShading(s.g) : shadingDict(s.g));
  const xref = length;
  const count = next;
  const rows = ["0000000000 65535 f \n"];
  for (let id = 1; id < count; id++) rows.push(`${String(offsets[id]).padStart(10, "0")} 00000 n \n`);
  add(
    `xref\n0 ${count}\n${rows.join("")}trailer\n<< /Size ${count} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
  );

  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
