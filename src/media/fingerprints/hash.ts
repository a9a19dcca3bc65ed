/**
 * Image fingerprints from decoded RGBA pixels, pure functions (they run in workerd and in Node
 * benches alike):
 * - `pixelHash`: SHA-256 of the size and the pixels, fully transparent pixels counted as one colour
 *   — the same picture whatever the file's bytes (metadata stripped, PNG re-compressed, WebP
 *   lossless of the same pixels).
 * - `perceptualHash` (pHash): 64 bits from the low frequencies of a 32×32 grey image's DCT (less its
 *   mean, its edges faded), each bit "above the median". Resizing, re-encoding, brightening, stamps
 *   and small crops move few bits; different images differ in about half. It sees luminance only:
 *   `colourSignature` (./colour.ts) is its second check. `differenceHash` (dHash) is the bench's peer.
 * Transparent images are seen over white, as a viewer shows them (and as JPEG copies are made).
 */

export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Hex SHA-256 over "width height" (4 bytes each, big-endian) and RGBA, transparent pixels zeroed. */
export async function pixelHash(image: Pixels): Promise<string> {
  const { data, width, height } = image;
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  const pixels = new Uint8Array(data.buffer, data.byteOffset, width * height * 4);
  // In place: the decoded buffer is ours, and a copy of a big image would double its memory.
  for (let i = 3; i < pixels.length; i += 4)
    if (pixels[i] === 0) pixels[i - 3] = pixels[i - 2] = pixels[i - 1] = 0;
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  await writer.write(header);
  await writer.write(pixels);
  await writer.close();
  return toHex(new Uint8Array(await digest.digest));
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Luma over white, area-averaged down to `w`×`h` (every source pixel counts, with fractional edges). */
export function greyThumbnail(image: Pixels, w: number, h: number): Float64Array {
  const { data, width, height } = image;
  // Horizontal pass: each source row to w columns.
  const rows = new Float64Array(height * w);
  const xw = columnWeights(width, w);
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (const { out, from, weights } of xw) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) {
        const i = row + (from + k) * 4;
        const a = data[i + 3]! / 255;
        const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
        sum += weights[k]! * (luma * a + 255 * (1 - a));
      }
      rows[y * w + out] = sum;
    }
  }
  // Vertical pass.
  const out = new Float64Array(w * h);
  for (const { out: oy, from, weights } of columnWeights(height, h)) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * rows[(from + k) * w + x]!;
      out[oy * w + x] = sum;
    }
  }
  return out;
}

/** For each of `n` outputs over `size` inputs: the inputs it covers and their weights (summing to 1). */
function columnWeights(size: number, n: number) {
  const scale = size / n;
  return Array.from({ length: n }, (_, out) => {
    const start = out * scale;
    const end = start + scale;
    const from = Math.floor(start);
    const to = Math.min(size, Math.ceil(end));
    const weights = new Float64Array(to - from);
    for (let i = from; i < to; i++) weights[i - from] = (Math.min(end, i + 1) - Math.max(start, i)) / scale;
    return { out, from, weights };
  });
}

export const DCT_SIZE = 32;
const LOW = 8;
/** cos((2x + 1) u π / 2N) for the first LOW frequencies u. */
const COS = (() => {
  const table = new Float64Array(LOW * DCT_SIZE);
  for (let u = 0; u < LOW; u++)
    for (let x = 0; x < DCT_SIZE; x++)
      table[u * DCT_SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_SIZE));
  return table;
})();

/**
 * A Tukey window (α = 0.5) over the 32 columns (and rows): full weight on the central half, a
 * raised-cosine fall to 0 over each outer quarter. Watermarks, logos and stamps sit at the edges and
 * a crop changes only the edges; unweighted they move half the bits (a 2 % corner stamp: median 12,
 * a 10 % crop: median 12 on the corpus), windowed a few (2 and 8). The subject stays in the centre.
 */
const WINDOW = Float64Array.from({ length: DCT_SIZE }, (_, x) => {
  const edge = Math.min(x + 0.5, DCT_SIZE - x - 0.5) / (DCT_SIZE / 4);
  return edge >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * edge);
});

/**
 * Below this spread of grey levels (standard deviation, 0–255) a picture is flat (blank, one colour):
 * its DCT is rounding noise whose bits flip under any resize, so a flat picture's hash is all zeros
 * and the colour signature tells flat pictures apart.
 */
const FLAT_SPREAD = 0.5;
export const FLAT_HASH = "0000000000000000";

/**
 * pHash: 16 hex digits. The 32×32 grey image, less its mean, times WINDOW in both directions; a bit
 * per coefficient of its 8×8 lowest DCT frequencies, "above their median".
 */
export function perceptualHash(image: Pixels): string {
  const grey = windowedGrey(image);
  return grey ? bitsAboveMedian(lowFrequencies(grey)) : FLAT_HASH;
}

/** The 32×32 grey image less its mean, windowed; undefined when the picture is flat. */
function windowedGrey(image: Pixels): Float64Array | undefined {
  const grey = greyThumbnail(image, DCT_SIZE, DCT_SIZE);
  let mean = 0;
  for (const v of grey) mean += v;
  mean /= grey.length;
  let spread = 0;
  for (const v of grey) spread += (v - mean) ** 2;
  if (Math.sqrt(spread / grey.length) < FLAT_SPREAD) return undefined;
  // Less the mean first: windowed, the background would otherwise be the same bump in every picture.
  for (let y = 0; y < DCT_SIZE; y++)
    for (let x = 0; x < DCT_SIZE; x++)
      grey[y * DCT_SIZE + x] = (grey[y * DCT_SIZE + x]! - mean) * WINDOW[x]! * WINDOW[y]!;
  return grey;
}

/** The LOW×LOW corner of a separable DCT-II of a DCT_SIZE² grey image: rows first, then columns. */
export function lowFrequencies(grey: Float64Array): Float64Array {
  const rows = new Float64Array(DCT_SIZE * LOW);
  for (let y = 0; y < DCT_SIZE; y++)
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let x = 0; x < DCT_SIZE; x++) sum += grey[y * DCT_SIZE + x]! * COS[u * DCT_SIZE + x]!;
      rows[y * LOW + u] = sum;
    }
  const coefficients = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++)
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let y = 0; y < DCT_SIZE; y++) sum += rows[y * LOW + u]! * COS[v * DCT_SIZE + y]!;
      coefficients[v * LOW + u] = sum;
    }
  return coefficients;
}

/** 16 hex digits: a bit per coefficient, set when above their median without the DC term (the mean brightness). */
export function bitsAboveMedian(coefficients: Float64Array): string {
  const median = medianOf(coefficients.slice(1));
  return bitsToHex(Array.from(coefficients, (c) => c > median));
}

/** dHash: 16 hex digits; a bit per horizontal neighbour pair of a 9×8 grey image (left brighter). */
export function differenceHash(image: Pixels): string {
  const grey = greyThumbnail(image, 9, 8);
  const bits: boolean[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits.push(grey[y * 9 + x]! > grey[y * 9 + x + 1]!);
  return bitsToHex(bits);
}

function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function bitsToHex(bits: boolean[]): string {
  let hex = "";
  for (let i = 0; i < bits.length; i += 4)
    hex += ((+bits[i]! << 3) | (+bits[i + 1]! << 2) | (+bits[i + 2]! << 1) | +bits[i + 3]!).toString(16);
  return hex;
}

/** Bits that differ between two 16-hex-digit hashes. */
export function hammingDistance(a: string, b: string): number {
  return (
    popcount32(Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16)) +
    popcount32(Number.parseInt(a.slice(8), 16) ^ Number.parseInt(b.slice(8), 16))
  );
}

export function popcount32(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
