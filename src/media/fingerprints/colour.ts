import type { Pixels } from "./hash";

/**
 * The colour signature beside the pHash (which sees luminance only): a red and a green copy of one
 * icon, two tricolour flags, or two blank pictures of different colours have the same pHash. 9 bytes
 * as 18 hex digits: how much of the picture is coloured in each of 8 hues (a byte each, 255 = all of
 * it), then the mean luma. Seen over white, as the pHash sees transparent pixels.
 *
 * What look-alikes keep: hue, and roughly how much of the picture has it. Brightening or darkening
 * by 20 % scales chroma but keeps hue (and moves the mean luma by at most ~50); a 2 % stamp adds
 * 2 % of one hue; resizing and re-encoding average neighbours. Hence the tolerances of `coloursAlike`.
 */

const HUES = 8;
/** Chroma (max − min of R, G, B, 0–255) below which a pixel counts as grey, and above which fully coloured. */
const GREY_BELOW = 16;
const COLOURED_ABOVE = 48;

/**
 * Pixels looked at, at most: a grid of every k-th pixel in each direction of a bigger picture (hue
 * shares are statistics; 12 MP read whole cost ~180 ms in Node, 3× the pHash).
 */
const SAMPLED_PIXELS = 1 << 20;

/** 18 hex digits; see above. */
export function colourSignature(image: Pixels): string {
  const { data, width, height } = image;
  const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / SAMPLED_PIXELS)));
  const hues = new Float64Array(HUES);
  let luma = 0;
  let n = 0;
  for (let y = 0; y < height; y += step)
    for (let x = 0; x < width; x += step) {
      const p = (y * width + x) * 4;
      const a = data[p + 3]! / 255;
      const r = data[p]! * a + 255 * (1 - a);
      const g = data[p + 1]! * a + 255 * (1 - a);
      const b = data[p + 2]! * a + 255 * (1 - a);
      luma += 0.299 * r + 0.587 * g + 0.114 * b;
      n++;
      addHue(hues, r, g, b);
    }
  const bytes = [...Array.from(hues, (h) => (255 * h) / n), luma / n];
  return bytes.map((v) => Math.round(Math.min(255, v)).toString(16).padStart(2, "0")).join("");
}

/** Adds a pixel's colour to the hue shares: weighted by how coloured it is, shared between the two nearest bins. */
function addHue(hues: Float64Array, r: number, g: number, b: number): void {
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  if (chroma <= GREY_BELOW) return;
  const weight = Math.min(1, (chroma - GREY_BELOW) / (COLOURED_ABOVE - GREY_BELOW));
  // HSV hue in sixths of the circle.
  const sixths =
    max === r ? ((g - b) / chroma + 6) % 6 : max === g ? (b - r) / chroma + 2 : (r - g) / chroma + 4;
  const at = (sixths / 6) * HUES;
  const bin = Math.floor(at);
  const share = at - bin;
  hues[bin % HUES]! += weight * (1 - share);
  hues[(bin + 1) % HUES]! += weight * share;
}

/**
 * How far apart two pictures' colours may be and still be one picture's: the work of moving one hue
 * share onto the other around the hue circle (earth mover's distance; a whole picture moved by one
 * bin, 45°, is 1) plus the difference in coloured share. On the corpus' copies at most 0.33 (a 10 %
 * crop; a 20 % brighter copy 0.28, where a clamped channel turns the hue a little); a 120° or 180°
 * recolour of a picture with a tenth or more of it coloured, 0.5 and up.
 */
const COLOUR_TOLERANCE = 0.4;
/** The difference in mean luma (0–255) above which two pictures differ in brightness beyond a 20 % edit (at most 35 on the corpus). */
const LUMA_TOLERANCE = 64;

/** Whether the colour signatures at i and j (parsed by `parseColours`) could be one picture's. */
export function coloursAlike(colours: Uint8Array, i: number, j: number): boolean {
  const a = i * SIGNATURE_BYTES;
  const b = j * SIGNATURE_BYTES;
  if (Math.abs(colours[a + HUES]! - colours[b + HUES]!) > LUMA_TOLERANCE) return false;
  const moved = new Float64Array(HUES);
  let extra = 0;
  for (let k = 0; k < HUES; k++) extra += (colours[a + k]! - colours[b + k]!) / 255;
  // On a circle the flow through one edge is free: the cost is least with the flows less their median.
  let flow = 0;
  for (let k = 0; k < HUES; k++) {
    flow += (colours[a + k]! - colours[b + k]!) / 255 - extra / HUES;
    moved[k] = flow;
  }
  const sorted = Float64Array.from(moved).sort();
  const median = (sorted[HUES / 2 - 1]! + sorted[HUES / 2]!) / 2;
  let cost = Math.abs(extra);
  for (const f of moved) cost += Math.abs(f - median);
  return cost <= COLOUR_TOLERANCE;
}

export const SIGNATURE_BYTES = HUES + 1;

/** Parses colour signatures (18 hex digits each) into one byte array, SIGNATURE_BYTES per picture. */
export function parseColours(hex: readonly string[]): Uint8Array {
  const out = new Uint8Array(hex.length * SIGNATURE_BYTES);
  hex.forEach((h, i) => {
    for (let k = 0; k < SIGNATURE_BYTES; k++)
      out[i * SIGNATURE_BYTES + k] = Number.parseInt(h.slice(2 * k, 2 * k + 2), 16);
  });
  return out;
}
