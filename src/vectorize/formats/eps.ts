/**
 * Encapsulated PostScript (EPSF-3.0, language level 3 for gradients) of a vector document: the same
 * drawing program as the PDF, through PostScript procedures named like PDF's operators. PostScript
 * has no transparency: a colour with opacity is blended onto white.
 */
import type { VectorDoc } from "../vector/document";
import { drawingProgram, num, PT_PER_PX, shadingDict } from "./program";

const PROCS = [
  "/m {moveto} bind def",
  "/l {lineto} bind def",
  "/c {curveto} bind def",
  "/h {closepath} bind def",
  "/f {fill} bind def",
  "/S {stroke} bind def",
  "/rg {setrgbcolor} bind def",
  "/RG {setrgbcolor} bind def",
  "/w {setlinewidth} bind def",
  "/J {setlinecap} bind def",
  "/j {setlinejoin} bind def",
  "/q {gsave} bind def",
  "/Q {grestore} bind def",
  "/W {clip} bind def",
  "/n {newpath} bind def",
].join("\n");

export function writeEps(doc: VectorDoc): string {
  const w = doc.width * PT_PER_PX;
  const h = doc.height * PT_PER_PX;
  const body = drawingProgram(doc, {
    colour: (rgb, alpha, stroke) =>
      `${rgb.map((v) => num(1 - alpha + v * alpha)).join(" ")} ${stroke ? "RG" : "rg"}`,
    gradient: (g) => `${shadingDict(g)} shfill`,
  });
  return [
    "%!PS-Adobe-3.0 EPSF-3.0",
    `%%BoundingBox: 0 0 ${Math.ceil(w)} ${Math.ceil(h)}`,
    `%%HiResBoundingBox: 0 0 ${num(w)} ${num(h)}`,
    "%%Creator: Edgecraft vectorizer",
    "%%LanguageLevel: 3",
    "%%Pages: 1",
    "%%EndComments",
    "%%BeginProlog",
    "/EdgecraftDict 32 dict def EdgecraftDict begin",
    PROCS,
    "end",
    "%%EndProlog",
    "%%Page: 1 1",
    "save EdgecraftDict begin",
    `0 ${num(h)} translate ${num(PT_PER_PX)} ${num(-PT_PER_PX)} scale`,
    body,
    "end restore",
    "showpage",
    "%%EOF",
    "",
  ]
    .filter((line) => line !== "")
    .join("\n")
    .concat("\n");
}
