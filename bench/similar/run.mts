// npm run bench:similar — look-alike detection, issue 20:
// 1. Precision and recall on a labelled set built from the clip-art corpus: each of the 48 images and
//    six copies (half size, JPEG q70, half-size JPEG, 20 % brighter, 20 % darker, a 2 % stamp); a pair
//    is "the same picture" when both come from one corpus image. pHash (what uploads store) and dHash
//    (its peer) at several thresholds, both as the organizer groups (connected components) and as
//    single pair distances.
// 2. Grouping speed: similarGroups over 100k hashes (1k planted clusters), and the same code vs a
//    pairwise comparison on 20k hashes in the same run (the floor it replaces).
// CPU-bound and single-threaded: run it with `nice`. Writes bench/results/similar.{json,md}.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import path from "node:path";
import jpegDecode, { init as initJpegDecode } from "@jsquash/jpeg/decode.js";
import jpegEncode, { init as initJpegEncode } from "@jsquash/jpeg/encode.js";
import pngDecode, { init as initPngDecode } from "@jsquash/png/decode.js";
import resize, { initResize } from "@jsquash/resize";
import { differenceHash, perceptualHash, popcount32 } from "../../src/media/fingerprints/hash";
import { DEFAULT_THRESHOLD, parseHashes, similarGroups } from "../../src/organize/similar";
import { brighten, flatten, type Rgba, scaled, stamp } from "../../test/helpers/image-variants";
import { clipartCorpus } from "../lib/corpus.mjs";
import { machineInfo, markdownTable, writeResults } from "../lib/harness.mjs";

const require = createRequire(import.meta.url);
const bytesOf = (spec: string) => readFileSync(require.resolve(spec));
const wasm = (spec: string) => new WebAssembly.Module(bytesOf(spec));
await initPngDecode(wasm("@jsquash/png/codec/pkg/squoosh_png_bg.wasm"));
await initResize(wasm("@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm"));
await initJpegEncode({ wasmBinary: bytesOf("@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm") });
await initJpegDecode({ wasmBinary: bytesOf("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm") });

const toBuffer = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const rgba = (d: { data: Uint8ClampedArray; width: number; height: number }): Rgba => ({
  data: new Uint8ClampedArray(d.data),
  width: d.width,
  height: d.height,
});
/** As the Worker resizes (src/wasm/resize.ts): Lanczos3, premultiplied, linear light. */
async function half(image: Rgba): Promise<Rgba> {
  const size = scaled(image, 0.5);
  const out = await resize(image as unknown as ImageData, {
    ...size,
    fitMethod: "stretch",
    method: "lanczos3",
    premultiply: true,
    linearRGB: true,
  });
  return rgba(out);
}
/** Through a real JPEG file: encoded at `quality`, decoded again (what an upload of it decodes to). */
async function viaJpeg(image: Rgba, quality: number): Promise<Rgba> {
  const file = await jpegEncode(flatten(image) as unknown as ImageData, { quality });
  return rgba(await jpegDecode(file));
}

const VARIANTS: [string, (image: Rgba) => Promise<Rgba> | Rgba][] = [
  ["half size", half],
  ["JPEG q70", (image) => viaJpeg(image, 70)],
  ["half-size JPEG q70", async (image) => viaJpeg(await half(image), 70)],
  ["20 % brighter", (image) => brighten(image, 1.2)],
  ["20 % darker", (image) => brighten(image, 0.8)],
  ["2 % stamp", (image) => stamp(image, 0.02)],
];

interface Item {
  source: number;
  variant: string;
  phash: string;
  dhash: string;
}

const dir = clipartCorpus("bench:similar");
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".png"))
  .sort();
const items: Item[] = [];
const labelStarted = performance.now();
for (const [source, name] of names.entries()) {
  const image = rgba(await pngDecode(toBuffer(readFileSync(path.join(dir, name)))));
  const copies: [string, Rgba][] = [["original", image]];
  for (const [variant, make] of VARIANTS) copies.push([variant, await make(image)]);
  for (const [variant, copy] of copies)
    items.push({ source, variant, phash: perceptualHash(copy), dhash: differenceHash(copy) });
}
const labelSeconds = (performance.now() - labelStarted) / 1000;

const distance = (a: Uint32Array, i: number, j: number) =>
  popcount32(a[2 * i]! ^ a[2 * j]!) + popcount32(a[2 * i + 1]! ^ a[2 * j + 1]!);

/** Each picture's group number at `threshold` (-1: in no group). */
function groupIndex(hashes: Uint32Array, threshold: number): Int32Array {
  const groupOf = new Int32Array(hashes.length / 2).fill(-1);
  for (const [k, group] of similarGroups(hashes, threshold).entries()) for (const i of group) groupOf[i] = k;
  return groupOf;
}

/** Pair precision and recall: predicted pairs are those in one group (or within t, `pairwise`). */
function score(hashes: Uint32Array, threshold: number, how: "groups" | "pairs") {
  const n = items.length;
  const groupOf = how === "groups" ? groupIndex(hashes, threshold) : new Int32Array(n).fill(-1);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const fpSources = new Set<string>();
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const same = items[i]!.source === items[j]!.source;
      const predicted =
        how === "groups"
          ? groupOf[i] !== -1 && groupOf[i] === groupOf[j]
          : distance(hashes, i, j) <= threshold;
      if (predicted && same) tp++;
      else if (predicted) {
        fp++;
        fpSources.add([items[i]!.source, items[j]!.source].sort((a, b) => a - b).join("+"));
      } else if (same) fn++;
    }
  return {
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp / (tp + fn),
    falsePairs: fp,
    wronglyJoinedImages: fpSources.size,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const phashes = parseHashes(items.map((i) => i.phash));
const dhashes = parseHashes(items.map((i) => i.dhash));
const THRESHOLDS = [4, 6, 8, 10, 12];
const quality: Record<string, unknown>[] = [];
const qualityRows: Record<string, string>[] = [];
for (const [hash, hashes] of [
  ["pHash", phashes],
  ["dHash (peer)", dhashes],
] as const)
  for (const t of THRESHOLDS) {
    const groups = score(hashes, t, "groups");
    const pairs = score(hashes, t, "pairs");
    quality.push({ hash, threshold: t, groups, pairs });
    qualityRows.push({
      hash,
      threshold: `${t}${hash === "pHash" && t === DEFAULT_THRESHOLD ? " (default)" : ""}`,
      "precision (groups)": pct(groups.precision),
      "recall (groups)": pct(groups.recall),
      "corpus images wrongly joined": String(groups.wronglyJoinedImages),
      "precision (pairs ≤ t)": pct(pairs.precision),
      "recall (pairs ≤ t)": pct(pairs.recall),
    });
  }

/** Per kind of copy: its distance to its original (pHash), and how many land in the original's group. */
const defaultGroups = groupIndex(phashes, DEFAULT_THRESHOLD);
const perVariant = VARIANTS.map(([variant]) => {
  const distances: number[] = [];
  let found = 0;
  items.forEach((item, i) => {
    if (item.variant !== variant) return;
    const original = items.findIndex((o) => o.source === item.source && o.variant === "original");
    distances.push(distance(phashes, i, original));
    if (defaultGroups[i] !== -1 && defaultGroups[i] === defaultGroups[original]) found++;
  });
  distances.sort((a, b) => a - b);
  return {
    copy: variant,
    "median distance": String(distances[distances.length >> 1]),
    "max distance": String(distances.at(-1)),
    [`with its original at t=${DEFAULT_THRESHOLD}`]: `${found} / ${distances.length}`,
  };
});
let nearestStranger = 64;
/** Different corpus images whose originals are within the default threshold: what precision loses. */
const lookAlikeOriginals: string[] = [];
for (let i = 0; i < items.length; i++)
  for (let j = i + 1; j < items.length; j++)
    if (
      items[i]!.source !== items[j]!.source &&
      items[i]!.variant === "original" &&
      items[j]!.variant === "original"
    ) {
      const d = distance(phashes, i, j);
      nearestStranger = Math.min(nearestStranger, d);
      if (d <= DEFAULT_THRESHOLD)
        lookAlikeOriginals.push(`${names[items[i]!.source]} and ${names[items[j]!.source]} (${d} bits)`);
    }

// Speed. Seeded generator: the same hashes on every run.
let seed = 20261130;
const random32 = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
};
/** n hashes: 1 in 10 in clusters of 10 (each within 6 bits of its cluster's centre), the rest random. */
function syntheticHashes(n: number): Uint32Array {
  const out = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    if (i % 100 < 10 && i % 10 !== 0) {
      const centre = i - (i % 10);
      let hi = out[2 * centre]!;
      let lo = out[2 * centre + 1]!;
      for (let f = random32() % 7; f > 0; f--) {
        const bit = random32() % 64;
        if (bit < 32) hi ^= 1 << bit;
        else lo ^= 1 << (bit - 32);
      }
      out[2 * i] = hi >>> 0;
      out[2 * i + 1] = lo >>> 0;
    } else {
      out[2 * i] = random32();
      out[2 * i + 1] = random32();
    }
  }
  return out;
}
/** The floor: every pair compared, union-find as similarGroups does. */
function pairwiseGroups(hashes: Uint32Array, threshold: number): number[][] {
  const n = hashes.length / 2;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (distance(hashes, i, j) <= threshold) {
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

const speed: Record<string, string>[] = [];
const speedRaw: Record<string, unknown>[] = [];
const big = syntheticHashes(100_000);
const bigHex = Array.from({ length: 100_000 }, (_, i) =>
  big[2 * i]!.toString(16)
    .padStart(8, "0")
    .concat(big[2 * i + 1]!.toString(16).padStart(8, "0")),
);
const parse = timed(() => parseHashes(bigHex), 3);
for (const t of [DEFAULT_THRESHOLD, 12]) {
  const run = timed(() => similarGroups(big, t), 3);
  speedRaw.push({ n: 100_000, threshold: t, parseMs: parse.ms, groupMs: run.ms, groups: run.out.length });
  speed.push({
    hashes: "100,000",
    threshold: String(t),
    "bands (similarGroups)": `${(run.ms / 1000).toFixed(2)} s (+ ${(parse.ms / 1000).toFixed(2)} s parsing hex)`,
    pairwise: "–",
    ratio: "–",
    groups: String(run.out.length),
  });
}
const small = big.slice(0, 20_000);
const bands = timed(() => similarGroups(small, DEFAULT_THRESHOLD), 3);
const pairwise = timed(() => pairwiseGroups(small, DEFAULT_THRESHOLD), 1);
if (JSON.stringify(bands.out) !== JSON.stringify(pairwise.out))
  throw new Error("bands and pairwise found different groups");
speedRaw.push({ n: 20_000, threshold: DEFAULT_THRESHOLD, bandsMs: bands.ms, pairwiseMs: pairwise.ms });
speed.push({
  hashes: "20,000 (the first of them)",
  threshold: String(DEFAULT_THRESHOLD),
  "bands (similarGroups)": `${(bands.ms / 1000).toFixed(3)} s`,
  pairwise: `${(pairwise.ms / 1000).toFixed(2)} s`,
  ratio: `${(pairwise.ms / bands.ms).toFixed(1)}× faster`,
  groups: `${bands.out.length} (same groups)`,
});

const machine = machineInfo();
const md = [
  "# Look-alike detection benchmark",
  "",
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}; run with nice on a shared machine (1-minute load ${loadavg()[0]!.toFixed(1)} at the end).`,
  "",
  `## Precision and recall on a labelled set (${names.length} clip-art images × ${VARIANTS.length + 1} = ${items.length} pictures)`,
  "",
  `Copies of each corpus image: ${VARIANTS.map(([v]) => v).join(", ")} — made with the Worker's resizer (Squoosh Lanczos3) and a real JPEG encode/decode (MozJPEG). A pair of pictures is labelled "the same" when both come from one corpus image (${items.length / names.length}·${items.length / names.length - 1}/2·${names.length} = ${(names.length * (items.length / names.length) * (items.length / names.length - 1)) / 2} pairs), otherwise "different". Groups are what a plan with \`match: "similar"\` reports (pairs linked through chains within the threshold); "pairs ≤ t" judges each pair by its own distance. Hashing the ${items.length} pictures took ${labelSeconds.toFixed(1)} s including decoding and making the copies.`,
  "",
  markdownTable(qualityRows),
  "",
  `Per kind of copy (pHash, distance to its own original; nearest two different corpus originals: ${nearestStranger} bits apart):`,
  "",
  markdownTable(perVariant),
  "",
  `Different corpus images within ${DEFAULT_THRESHOLD} bits of each other (pHash sees luminance structure, not colour): ${lookAlikeOriginals.join("; ") || "none"}.`,
  "",
  "## Grouping speed",
  "",
  "Synthetic 64-bit hashes (seeded): 1 in 10 in clusters of 10 within 6 bits of their centre, the rest uniform. Median of 3 runs (pairwise: 1 run). Pure grouping in Node; a plan adds reading the hashes from D1.",
  "",
  markdownTable(speed),
  "",
].join("\n");
writeResults(
  "similar",
  {
    machine,
    labelled: {
      images: names.length,
      pictures: items.length,
      quality,
      perVariant,
      nearestStranger,
      lookAlikeOriginals,
    },
    speed: speedRaw,
  },
  md,
);
console.log(md);
