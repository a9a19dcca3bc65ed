/**
 * Every output format of a vector document (issue 16, point 3), written from the stored trace without
 * tracing again. Platform-neutral: PNG needs resvg's module provided first (src/vectorize/render.ts in
 * workerd; the bench in Node).
 */
import type { VectorDoc } from "../vector/document";
import { writeDxf } from "./dxf";
import { writeEps } from "./eps";
import { writePdf } from "./pdf";
import { renderPng } from "./raster";
import { writeSvg } from "./svg";

export const RESULT_FORMATS = ["svg", "pdf", "eps", "dxf", "png"] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const CONTENT_TYPES: Record<ResultFormat, string> = {
  svg: "image/svg+xml",
  pdf: "application/pdf",
  eps: "application/postscript",
  dxf: "image/vnd.dxf",
  png: "image/png",
};

/** Largest PNG side: a rendered copy bigger than 4096 px is not what a preview or a web page needs. */
export const MAX_PNG_SIDE = 4096;

export interface Rendered {
  body: Uint8Array;
  contentType: string;
}

/** PNG size: the document's, or `width` px wide (aspect kept), capped at MAX_PNG_SIDE. */
export function pngSize(doc: VectorDoc, width?: number): { width: number; height: number } {
  let w = width ?? doc.width;
  let h = (w * doc.height) / doc.width;
  const scale = Math.min(1, MAX_PNG_SIDE / Math.max(w, h));
  w = Math.max(1, Math.round(w * scale));
  h = Math.max(1, Math.round(h * scale));
  return { width: w, height: h };
}

export async function renderFormat(
  doc: VectorDoc,
  format: ResultFormat,
  options: { width?: number } = {},
): Promise<Rendered> {
  const enc = new TextEncoder();
  let body: Uint8Array;
  switch (format) {
    case "svg":
      body = enc.encode(writeSvg(doc));
      break;
    case "pdf":
      body = await writePdf(doc);
      break;
    case "eps":
      body = enc.encode(writeEps(doc));
      break;
    case "dxf":
      body = enc.encode(writeDxf(doc));
      break;
    case "png": {
      const size = pngSize(doc, options.width);
      body = await renderPng(writeSvg(doc), size.width, size.height);
      break;
    }
  }
  return { body, contentType: CONTENT_TYPES[format] };
}
