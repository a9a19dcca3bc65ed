import { coloursAlike, SIGNATURE_BYTES } from "../media/fingerprints/colour";
import { popcount32 } from "../media/fingerprints/hash";

/**
 * Look-alike groups: connected components of "perceptual hashes within `threshold` bits".
 *
 * Comparing every pair is n²/2 (5·10⁹ for 100k images). Multi-index hashing finds the same pairs
 * with a fraction of the work: split the 64 bits into 4 bands of 16, each a bucket table (counting
 * sort on its 16-bit value); a hash probes, per band, the buckets of every value within that band's
 * radius of its own and checks the candidates' full distance. Union-find joins matches.
 *
 * The radii (Norouzi, Punjani & Fleet, "Fast search in Hamming space with multi-index hashing"):
 * with t = 4r + a (0 ≤ a < 4), two hashes within t bits agree within r bits on one of the first
 * a + 1 bands, or within r − 1 bits on one of the others — were every first band ≥ r + 1 apart and
 * every other ≥ r, they would differ in ≥ 4r + a + 1 bits. Probing r everywhere (plain pigeonhole)
 * is 4 × 697 values per hash at t = 12; these radii make it 697 + 3 × 137, and at t = 10
 * 3 × 137 + 17 instead of 4 × 137.
 *
 * Identical hashes (copies, re-saves) are one entry with its members: a value shared by k images
 * would otherwise put k² candidate pairs in one bucket.
 *
 * The second check: pHash sees luminance only, so pictures within the threshold are joined only when
 * their colour signatures (src/media/fingerprints/colour.ts) agree too. Identical hashes with
 * different colours stay separate entries; the check runs only on pairs the bands found.
 */

export const MAX_THRESHOLD = 12;
/** On the labelled corpus set (bench/results/similar.md) 12 joins no two different pictures. */
export const DEFAULT_THRESHOLD = 12;

const BANDS = 4;
const BAND_VALUES = 1 << 16;

/** 16-bit masks with at most `radius` bits set. */
function masksWithin(radius: number): Uint16Array {
  const masks: number[] = [];
  for (let m = 0; m < BAND_VALUES; m++) if (popcount32(m) <= radius) masks.push(m);
  return Uint16Array.from(masks);
}

/** The probe radius of each band for `threshold` (−1: the band needs no probe). */
function bandRadii(threshold: number): number[] {
  const r = Math.floor(threshold / BANDS);
  const a = threshold % BANDS;
  return Array.from({ length: BANDS }, (_, b) => (b <= a ? r : r - 1));
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

/** Per input, its hash (as (hi, lo)) and, when given, its colour signature (SIGNATURE_BYTES). */
interface Pictures {
  hashes: Uint32Array;
  colours?: Uint8Array;
}

/** Orders two pictures by hash, then colour signature. */
function compare({ hashes, colours }: Pictures, x: number, y: number): number {
  const byHash = hashes[2 * x]! - hashes[2 * y]! || hashes[2 * x + 1]! - hashes[2 * y + 1]!;
  if (byHash || !colours) return byHash;
  for (let k = 0; k < SIGNATURE_BYTES; k++) {
    const d = colours[x * SIGNATURE_BYTES + k]! - colours[y * SIGNATURE_BYTES + k]!;
    if (d) return d;
  }
  return 0;
}

/** The distinct pictures (hash and colours) and, per input, the index of its distinct picture. */
function distinct(pictures: Pictures): { unique: Required<Pictures>; of: Int32Array } {
  const { hashes, colours } = pictures;
  const n = hashes.length / 2;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((x, y) => compare(pictures, x, y));
  const of = new Int32Array(n);
  const kept: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (kept.length === 0 || compare(pictures, kept.at(-1)!, i) !== 0) kept.push(i);
    of[i] = kept.length - 1;
  }
  const unique = new Uint32Array(kept.length * 2);
  const uniqueColours = new Uint8Array(colours ? kept.length * SIGNATURE_BYTES : 0);
  kept.forEach((i, u) => {
    unique[2 * u] = hashes[2 * i]!;
    unique[2 * u + 1] = hashes[2 * i + 1]!;
    if (colours)
      uniqueColours.set(
        colours.subarray(i * SIGNATURE_BYTES, (i + 1) * SIGNATURE_BYTES),
        u * SIGNATURE_BYTES,
      );
  });
  return { unique: { hashes: unique, colours: uniqueColours }, of };
}

/**
 * Groups (each ≥ 2 members, as indices into the input, ascending; groups ordered by their first
 * member) of hashes linked by chains of distances ≤ `threshold` — and, when `colours` (from
 * `parseColours`, one signature per hash) are given, of alike colours.
 */
export function similarGroups(hashes: Uint32Array, threshold: number, colours?: Uint8Array): number[][] {
  if (threshold < 0 || threshold > MAX_THRESHOLD)
    throw new RangeError(`threshold must be 0–${MAX_THRESHOLD}`);
  if (colours && colours.length !== (hashes.length / 2) * SIGNATURE_BYTES)
    throw new RangeError("one colour signature per hash");
  const { unique: pictures, of } = distinct({ hashes, colours });
  const unique = pictures.hashes;
  const alike = colours ? pictures.colours : undefined;
  const n = unique.length / 2;
  const sets = new DisjointSets(n);
  const radii = bandRadii(threshold);
  const masksOf = new Map(radii.map((r) => [r, masksWithin(Math.max(0, r))]));
  const band = new BandIndex(n);
  for (let b = 0; b < BANDS; b++) {
    if (radii[b]! < 0) continue;
    const masks = masksOf.get(radii[b]!)!;
    band.build(unique, b);
    for (let i = 0; i < n; i++) joinNear(i, { unique, alike, threshold }, band, masks, sets);
  }
  return sets.groupsOf(of);
}

/**
 * Joins i with every later hash in a bucket within the band's radius of its own value, within
 * `threshold` in full and, when `alike` is given, with alike colours.
 */
function joinNear(
  i: number,
  { unique, alike, threshold }: { unique: Uint32Array; alike?: Uint8Array; threshold: number },
  band: BandIndex,
  masks: Uint16Array,
  sets: DisjointSets,
): void {
  const { start, members } = band;
  const own = band.values[i]!;
  const hi = unique[2 * i]!;
  const lo = unique[2 * i + 1]!;
  for (let m = 0; m < masks.length; m++) {
    const v = own ^ masks[m]!;
    // A bucket lists its items in ascending order: walk it from the end down to i, so each
    // pair is looked at once (from its smaller item) and the rest of the bucket not at all.
    const first = start[v]!;
    for (let k = start[v + 1]! - 1; k >= first; k--) {
      const j = members[k]!;
      if (j <= i) break;
      if (
        popcount32(hi ^ unique[2 * j]!) + popcount32(lo ^ unique[2 * j + 1]!) <= threshold &&
        (!alike || coloursAlike(alike, i, j))
      )
        sets.union(i, j);
    }
  }
}

/** One band's bucket table: the items sorted by their 16-bit value in that band (counting sort). */
class BandIndex {
  readonly values: Uint16Array;
  /** Bucket v is members[start[v] .. start[v + 1]). */
  readonly start = new Uint32Array(BAND_VALUES + 1);
  readonly members: Uint32Array;

  constructor(n: number) {
    this.values = new Uint16Array(n);
    this.members = new Uint32Array(n);
  }

  build(unique: Uint32Array, band: number): void {
    const { values, start, members } = this;
    const n = values.length;
    const word = band >> 1;
    const shift = band & 1 ? 0 : 16;
    for (let i = 0; i < n; i++) values[i] = (unique[2 * i + word]! >>> shift) & 0xffff;
    start.fill(0);
    for (let i = 0; i < n; i++) start[values[i]! + 1]!++;
    for (let v = 0; v < BAND_VALUES; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, BAND_VALUES);
    for (let i = 0; i < n; i++) members[fill[values[i]!]!++] = i;
  }
}

/** Union-find over 0..n-1 with path halving; a set's root is its smallest member. */
class DisjointSets {
  private readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }

  find(i: number): number {
    const parent = this.parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  }

  union(i: number, j: number): void {
    const ri = this.find(i);
    const rj = this.find(j);
    if (ri !== rj) this.parent[Math.max(ri, rj)] = Math.min(ri, rj);
  }

  /**
   * The groups of two or more inputs, input i standing for set member of[i]: each ascending,
   * ordered by their first input.
   */
  groupsOf(of: Int32Array): number[][] {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < of.length; i++) {
      const root = this.find(of[i]!);
      const list = groups.get(root);
      if (list) list.push(i);
      else groups.set(root, [i]);
    }
    return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
  }
}
