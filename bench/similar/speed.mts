// Grouping speed for bench:similar: similarGroups over 100k synthetic (hash, colour signature)
// pairs, and against its floor — every pair compared — on the first 20k, in the same run.
import { coloursAlike, SIGNATURE_BYTES } from "../../src/media/fingerprints/colour";
import { popcount32 } from "../../src/media/fingerprints/hash";
import { DEFAULT_THRESHOLD, parseHashes, similarGroups } from "../../src/organize/similar";

// Seeded generator: the same hashes on every run.
let seed = 20261130;
const random32 = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
};

/**
 * n hashes: 1 in 10 in clusters of 10 (each within 6 bits of its cluster's centre), the rest
 * uniform. Colour signatures: 16 palettes (as a library has many grey drawings, many blue skies…),
 * each picture its palette's with a little noise; a cluster member has its centre's palette, and
 * one member in five another palette (a recolour, which the colour check keeps apart).
 */
function synthetic(n: number): { hashes: Uint32Array; colours: Uint8Array } {
  const palettes = Array.from({ length: 16 }, () =>
    Uint8Array.from({ length: SIGNATURE_BYTES }, (_, k) =>
      k < SIGNATURE_BYTES - 1 ? random32() % 64 : 80 + (random32() % 160),
    ),
  );
  const hashes = new Uint32Array(2 * n);
  const colours = new Uint8Array(n * SIGNATURE_BYTES);
  const palette = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const centre = i - (i % 10);
    const member = i % 100 < 10 && i % 10 !== 0;
    const [hi, lo] = member ? near(hashes[2 * centre]!, hashes[2 * centre + 1]!) : [random32(), random32()];
    hashes[2 * i] = hi;
    hashes[2 * i + 1] = lo;
    palette[i] = member && random32() % 5 !== 0 ? palette[centre]! : random32() % 16;
    for (let k = 0; k < SIGNATURE_BYTES; k++)
      colours[i * SIGNATURE_BYTES + k] = Math.min(255, palettes[palette[i]!]![k]! + (random32() % 3));
  }
  return { hashes, colours };
}

/** A hash 0–6 random bits away from (hi, lo). */
function near(hi: number, lo: number): [number, number] {
  for (let f = random32() % 7; f > 0; f--) {
    const bit = random32() % 64;
    if (bit < 32) hi ^= 1 << bit;
    else lo ^= 1 << (bit - 32);
  }
  return [hi >>> 0, lo >>> 0];
}

/** The floor: every pair compared (hash, then colours), union-find as similarGroups does. */
function pairwiseGroups(hashes: Uint32Array, colours: Uint8Array, threshold: number): number[][] {
  const n = hashes.length / 2;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (
        popcount32(hashes[2 * i]! ^ hashes[2 * j]!) + popcount32(hashes[2 * i + 1]! ^ hashes[2 * j + 1]!) <=
          threshold &&
        coloursAlike(colours, i, j)
      ) {
        const [a, b] = [find(i), find(j)];
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) groups.set(find(i), [...(groups.get(find(i)) ?? []), i]);
  return [...groups.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}

const timed = <T,>(f: () => T, runs: number) => {
  const times: number[] = [];
  let out!: T;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    out = f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { out, ms: times[times.length >> 1]! };
};

export function groupingSpeed() {
  const rows: Record<string, string>[] = [];
  const raw: Record<string, unknown>[] = [];
  const n = 100_000;
  const { hashes, colours } = synthetic(n);
  const hex = Array.from(
    { length: n },
    (_, i) => hashes[2 * i]!.toString(16).padStart(8, "0") + hashes[2 * i + 1]!.toString(16).padStart(8, "0"),
  );
  const parse = timed(() => parseHashes(hex), 3);
  const runs: [number, boolean][] = [
    [10, true],
    [DEFAULT_THRESHOLD, true],
    [DEFAULT_THRESHOLD, false],
  ];
  for (const [t, withColours] of runs) {
    const run = timed(() => similarGroups(hashes, t, withColours ? colours : undefined), 3);
    raw.push({
      n,
      threshold: t,
      colours: withColours,
      parseMs: parse.ms,
      groupMs: run.ms,
      groups: run.out.length,
    });
    rows.push({
      hashes: "100,000",
      threshold: `${t}${t === DEFAULT_THRESHOLD ? " (default)" : ""}`,
      "colour check": withColours ? "yes" : "no (hash only)",
      "bands (similarGroups)": `${(run.ms / 1000).toFixed(2)} s (+ ${(parse.ms / 1000).toFixed(2)} s parsing hex)`,
      pairwise: "–",
      ratio: "–",
      groups: String(run.out.length),
    });
  }
  const small = { hashes: hashes.slice(0, 40_000), colours: colours.slice(0, 20_000 * SIGNATURE_BYTES) };
  const bands = timed(() => similarGroups(small.hashes, DEFAULT_THRESHOLD, small.colours), 3);
  const pairwise = timed(() => pairwiseGroups(small.hashes, small.colours, DEFAULT_THRESHOLD), 1);
  if (JSON.stringify(bands.out) !== JSON.stringify(pairwise.out))
    throw new Error("bands and pairwise found different groups");
  raw.push({
    n: 20_000,
    threshold: DEFAULT_THRESHOLD,
    colours: true,
    bandsMs: bands.ms,
    pairwiseMs: pairwise.ms,
  });
  rows.push({
    hashes: "20,000 (the first of them)",
    threshold: String(DEFAULT_THRESHOLD),
    "colour check": "yes",
    "bands (similarGroups)": `${(bands.ms / 1000).toFixed(3)} s`,
    pairwise: `${(pairwise.ms / 1000).toFixed(2)} s`,
    ratio: `${(pairwise.ms / bands.ms).toFixed(1)}× faster`,
    groups: `${bands.out.length} (same groups)`,
  });
  return { rows, raw };
}
