import { popcount32 } from "../media/fingerprints/hash";

/**
 * Look-alike groups: connected components of "perceptual hashes within `threshold` bits".
 *
 * Comparing every pair is n²/2 (5·10⁹ for 100k images). Multi-index hashing finds the same pairs
 * with a fraction of the work: split the 64 bits into 4 bands of 16; two hashes within t bits agree
 * within ⌊t/4⌋ bits on at least one band (pigeonhole). Each band is a bucket table (counting sort
 * on its 16-bit value); a hash probes, per band, the buckets of every value within ⌊t/4⌋ bits of its
 * own (137 values for t ≤ 11) and checks the candidates' full distance. Union-find joins matches.
 */

export const MAX_THRESHOLD = 12;
export const DEFAULT_THRESHOLD = 10;

const BANDS = 4;
const BAND_VALUES = 1 << 16;

/** 16-bit masks with at most `radius` bits set. */
function masksWithin(radius: number): Uint16Array {
  const masks: number[] = [];
  for (let m = 0; m < BAND_VALUES; m++) if (popcount32(m) <= radius) masks.push(m);
  return Uint16Array.from(masks);
}

/** Parses 16-hex-digit hashes into (hi, lo) 32-bit halves. */
export function parseHashes(hex: readonly string[]): Uint32Array {
  const out = new Uint32Array(hex.length * 2);
  hex.forEach((h, i) => {
    out[2 * i] = Number.parseInt(h.slice(0, 8), 16);
    out[2 * i + 1] = Number.parseInt(h.slice(8, 16), 16);
  });
  return out;
}

/**
 * Groups (each ≥ 2 members, as indices into the input, ascending; groups ordered by their first
 * member) of hashes linked by chains of distances ≤ `threshold`.
 */
export function similarGroups(hashes: Uint32Array, threshold: number): number[][] {
  if (threshold < 0 || threshold > MAX_THRESHOLD)
    throw new RangeError(`threshold must be 0–${MAX_THRESHOLD}`);
  const n = hashes.length / 2;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const masks = masksWithin(Math.floor(threshold / BANDS));
  const start = new Uint32Array(BAND_VALUES + 1);
  const members = new Uint32Array(n);
  const values = new Uint16Array(n);
  for (let b = 0; b < BANDS; b++) {
    const word = b >> 1;
    const shift = b & 1 ? 0 : 16;
    for (let i = 0; i < n; i++) values[i] = (hashes[2 * i + word]! >>> shift) & 0xffff;
    // Counting sort of items by this band's value: bucket v is members[start[v] .. start[v + 1]).
    start.fill(0);
    for (let i = 0; i < n; i++) start[values[i]! + 1]!++;
    for (let v = 0; v < BAND_VALUES; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, BAND_VALUES);
    for (let i = 0; i < n; i++) members[fill[values[i]!]!++] = i;
    for (let i = 0; i < n; i++) {
      const own = values[i]!;
      const hi = hashes[2 * i]!;
      const lo = hashes[2 * i + 1]!;
      for (let m = 0; m < masks.length; m++) {
        const v = own ^ masks[m]!;
        const end = start[v + 1]!;
        for (let k = start[v]!; k < end; k++) {
          const j = members[k]!;
          if (j <= i) continue;
          if (popcount32(hi ^ hashes[2 * j]!) + popcount32(lo ^ hashes[2 * j + 1]!) > threshold) continue;
          const ri = find(i);
          const rj = find(j);
          if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
        }
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    const list = groups.get(root);
    if (list) list.push(i);
    else groups.set(root, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}
