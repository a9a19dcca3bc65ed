export { image } from "./pixels";

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Checks the SVG is structurally sane; returns the fills and path data. */
export function parseSvg(svg: string) {
  const head =
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="([\d.]+)" height="([\d.]+)" viewBox="0 0 ([\d.]+) ([\d.]+)">/.exec(
      svg,
    );
  if (!head) throw new Error(`bad svg head: ${svg.slice(0, 120)}`);
  if (!svg.endsWith("</svg>")) throw new Error("svg not closed");
  if (/NaN|Infinity|undefined/.test(svg)) throw new Error("non-finite number in svg");
  // fills (solid, translucent or gradient) and the strokes of centerline mode
  const pathRe =
    /<path (?:fill="(#[0-9a-f]{3}|#[0-9a-f]{6}|url\(#g\d+\))"(?: fill-opacity="(\.\d\d?)")?|fill="none" stroke="(#[0-9a-f]{3}|#[0-9a-f]{6})" stroke-width="([\d.]+)" stroke-linecap="round" stroke-linejoin="round") d="([^"]*)"\/>/g;
  const paths = [...svg.matchAll(pathRe)].map((m) => ({
    fill: m[1] ?? "none",
    opacity: m[2] ? Number(m[2]) : 1,
    stroke: m[3],
    strokeWidth: m[4] ? Number(m[4]) : undefined,
    d: m[5]!,
  }));
  const gradients = [
    ...svg.matchAll(/<defs><(linear|radial)Gradient id="(g\d+)"[^>]*>(.*?)<\/\1Gradient><\/defs>/g),
  ].map((m) => ({ kind: m[1]!, id: m[2]!, stops: (m[3]!.match(/<stop /g) ?? []).length }));
  // bilinear fills: top and bottom ramps, a vertical mask ramp, the mask and the pattern that joins them
  const num = '="-?[\\d.]+"';
  const ramp = `<linearGradient id="g\\d+[tuv]" gradientUnits="userSpaceOnUse"( (x1|y1|x2|y2)${num}){4}>(<stop offset="[01]" stop-color="#[0-9a-f]{3,6}"( stop-opacity="0")?/>){2}</linearGradient>`;
  const box = `( (x|y|width|height)${num}){4}`;
  const bilinearRe = new RegExp(
    `<defs>(?:${ramp}){3}<mask id="g\\d+m" maskUnits="userSpaceOnUse"${box}><rect${box} fill="url\\(#g\\d+v\\)"/></mask><pattern id="(?<id>g\\d+)" patternUnits="userSpaceOnUse"${box}><rect${box} fill="url\\(#g\\d+t\\)"/><rect${box} fill="url\\(#g\\d+u\\)" mask="url\\(#g\\d+m\\)"/></pattern></defs>`,
    "g",
  );
  for (const m of svg.matchAll(bilinearRe)) gradients.push({ kind: "bilinear", id: m.groups!.id!, stops: 4 });
  const body = svg
    .slice(head[0].length, -"</svg>".length)
    .replace(bilinearRe, "")
    .replace(
      /<defs><(linear|radial)Gradient id="g\d+" gradientUnits="userSpaceOnUse"( (x1|y1|x2|y2|cx|cy|r)="-?[\d.]+")+ ?>(<stop offset="[\d.]+" stop-color="#[0-9a-f]{3,6}"\/>)+<\/\1Gradient><\/defs>/g,
      "",
    );
  if (body.replace(pathRe, "") !== "") throw new Error("unexpected svg content");
  for (const p of paths) {
    if (!/^m[-\d.]/.test(p.d)) throw new Error(`path must start with m: ${p.d.slice(0, 40)}`);
    if (!/^[mlhvcsz\d.\s-]+$/.test(p.d)) throw new Error("unexpected path command");
  }
  return {
    width: Number(head[1]),
    height: Number(head[2]),
    vbW: Number(head[3]),
    vbH: Number(head[4]),
    paths,
    gradients,
  };
}

/** How many numbers each relative path command takes. */
const ARITY = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, z: 0 };

/**
 * The pen after one relative command's arguments `a` from (x, y); every control point and the end point
 * of a curve or line are shown to `see` (the end point again by the caller).
 */
function advance(
  cmd: string,
  a: number[],
  x: number,
  y: number,
  see: (px: number, py: number) => void,
): [number, number] {
  if (cmd === "h") return [x + a[0]!, y];
  if (cmd === "v") return [x, y + a[0]!];
  const arity = ARITY[cmd as "m"];
  for (let k = 0; k + 1 < arity; k += 2) see(x + a[k]!, y + a[k + 1]!);
  return [x + a[arity - 2]!, y + a[arity - 1]!];
}

/** Absolute extent of all path points (sub-path starts + segment end points, controls included). */
export function extent(d: string) {
  let x = 0;
  let y = 0;
  let sx = 0;
  let sy = 0;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  const see = (px: number, py: number) => {
    minX = Math.min(minX, px);
    maxX = Math.max(maxX, px);
    minY = Math.min(minY, py);
    maxY = Math.max(maxY, py);
  };
  for (const m of d.matchAll(/([mlhvcsz])([^mlhvcsz]*)/g)) {
    const cmd = m[1]!;
    const nums = (m[2]!.match(/-?(?:\d+\.?\d*|\.\d+)/g) ?? []).map(Number);
    const arity = ARITY[cmd as "m"];
    if (cmd === "z") {
      x = sx;
      y = sy;
      continue;
    }
    for (let i = 0; i < nums.length; i += arity) {
      [x, y] = advance(cmd, nums.slice(i, i + arity), x, y, see);
      see(x, y);
      if (cmd === "m" && i === 0) {
        sx = x;
        sy = y;
      }
    }
  }
  return { minX, minY, maxX, maxY };
}
