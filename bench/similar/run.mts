// npm run bench:similar — look-alike detection, issue 20:
// 1. Precision and recall on a labelled set built from the clip-art corpus: each of the 48 images and
//    eight copies (copies.mts); a pair is "the same picture" when both come from one corpus image, or
//    from corpus images with identical decoded pixels. What uploads store now (pHash v2 with its
//    colour check), the first pHash (v1, before) and dHash (peer), at several thresholds, both as the
//    organizer groups (connected components) and as single pairs. Recoloured and mirrored copies —
//    other pictures — are counted apart.
// 2. Grouping speed (speed.mts).
// CPU-bound and single-threaded: run it with `nice`. Writes bench/results/similar.{json,md}.
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import {
  colourSignature,
  coloursAlike,
  parseColours,
  SIGNATURE_BYTES,
} from "../../src/media/fingerprints/colour";
import {
  bitsAboveMedian,
  DCT_SIZE,
  differenceHash,
  greyThumbnail,
  lowFrequencies,
  perceptualHash,
  popcount32,
} from "../../src/media/fingerprints/hash";
import { DEFAULT_THRESHOLD, parseHashes, similarGroups } from "../../src/organize/similar";
import type { Rgba } from "../../test/helpers/image-variants";
import { clipartCorpus } from "../lib/corpus.mjs";
import { machineInfo, markdownTable, writeResults } from "../lib/harness.mjs";
import { corpusCopies, LOOK_ALIKES, OTHER_PICTURES } from "./copies.mts";
import { groupingSpeed } from "./speed.mts";

/** The first pHash (fingerprint version 1): the plain 32×32 grey image's DCT, no window, no flat rule. */
const phashV1 = (image: Rgba) => bitsAboveMedian(lowFrequencies(greyThumbnail(image, DCT_SIZE, DCT_SIZE)));
const pixelsKey = (image: Rgba) =>
  createHash("sha256").update(`${image.width}x${image.height}`).update(image.data).digest("hex");

interface Item {
  source: number;
  /** The first source with the same decoded pixels as this one's original: pictures with one label are "the same". */
  label: number;
  variant: string;
  v1: string;
  v2: string;
  colour: string;
  dhash: string;
}

const dir = clipartCorpus("bench:similar");
const names: string[] = [];
const items: Item[] = [];
const pixelTwins: string[][] = [];
const labelOf = new Map<string, number>();
const labelStarted = performance.now();
for await (const { name, pictures } of corpusCopies(dir)) {
  names.push(name);
  const key = pixelsKey(pictures[0]!.image);
  const twin = labelOf.get(key);
  if (twin === undefined) labelOf.set(key, pictures[0]!.source);
  else pixelTwins.push([names[twin]!, name]);
  for (const { source, variant, image } of pictures)
    items.push({
      source,
      label: twin ?? source,
      variant,
      v1: phashV1(image),
      v2: perceptualHash(image),
      colour: colourSignature(image),
      dhash: differenceHash(image),
    });
}
const labelSeconds = (performance.now() - labelStarted) / 1000;

const labelled = items.filter((i) => !OTHER_PICTURES.some(([v]) => v === i.variant));
const others = items.filter((i) => OTHER_PICTURES.some(([v]) => v === i.variant));
const originalOf = (list: Item[], source: number) =>
  list.findIndex((o) => o.source === source && o.variant === "original");

type Hash = "v1" | "v2" | "dhash";
interface Scheme {
  name: string;
  hash: Hash;
  colours: boolean;
}
const SCHEMES: Scheme[] = [
  { name: "pHash v2 + colour check (now)", hash: "v2", colours: true },
  { name: "pHash v2 without the colour check", hash: "v2", colours: false },
  { name: "pHash v1 (before)", hash: "v1", colours: false },
  { name: "dHash (peer)", hash: "dhash", colours: false },
];
const THRESHOLDS = [4, 6, 8, 10, 12];

function prepared(list: Item[], hash: Hash) {
  return { hashes: parseHashes(list.map((i) => i[hash])), colours: parseColours(list.map((i) => i.colour)) };
}
const distance = (a: Uint32Array, i: number, j: number) =>
  popcount32(a[2 * i]! ^ a[2 * j]!) + popcount32(a[2 * i + 1]! ^ a[2 * j + 1]!);

/** Each picture's group number (-1: in no group), as a plan with this scheme and threshold groups. */
function groupIndex(list: Item[], scheme: Scheme, threshold: number): Int32Array {
  const { hashes, colours } = prepared(list, scheme.hash);
  const groupOf = new Int32Array(list.length).fill(-1);
  for (const [k, group] of similarGroups(hashes, threshold, scheme.colours ? colours : undefined).entries())
    for (const i of group) groupOf[i] = k;
  return groupOf;
}

/** Whether a single pair passes: within `threshold` and (when the scheme checks them) alike colours. */
function pairJoined(list: Item[], scheme: Scheme, threshold: number) {
  const { hashes, colours } = prepared(list, scheme.hash);
  return (i: number, j: number) =>
    distance(hashes, i, j) <= threshold && (!scheme.colours || coloursAlike(colours, i, j));
}

/** Pair precision and recall over the labelled set against `joined`. */
function tally(joined: (i: number, j: number) => boolean) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const wrong = new Set<string>();
  for (let i = 0; i < labelled.length; i++)
    for (let j = i + 1; j < labelled.length; j++) {
      const same = labelled[i]!.label === labelled[j]!.label;
      const predicted = joined(i, j);
      if (predicted && same) tp++;
      else if (predicted) {
        fp++;
        wrong.add([labelled[i]!.label, labelled[j]!.label].sort((a, b) => a - b).join("+"));
      } else if (same) fn++;
    }
  return {
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp / (tp + fn),
    falsePairs: fp,
    wronglyJoinedImages: wrong.size,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const quality: Record<string, unknown>[] = [];
const qualityRows: Record<string, string>[] = [];
for (const scheme of SCHEMES)
  for (const t of THRESHOLDS) {
    const groupOf = groupIndex(labelled, scheme, t);
    const groups = tally((i, j) => groupOf[i] !== -1 && groupOf[i] === groupOf[j]);
    const pairs = tally(pairJoined(labelled, scheme, t));
    quality.push({ scheme: scheme.name, threshold: t, groups, pairs });
    qualityRows.push({
      hash: scheme.name,
      threshold: `${t}${scheme.colours && t === DEFAULT_THRESHOLD ? " (default)" : ""}${scheme.hash === "v1" && t === 10 ? " (its default)" : ""}`,
      "precision (groups)": pct(groups.precision),
      "recall (groups)": pct(groups.recall),
      "corpus images wrongly joined": String(groups.wronglyJoinedImages),
      "precision (pairs ≤ t)": pct(pairs.precision),
      "recall (pairs ≤ t)": pct(pairs.recall),
    });
  }

const [now, , before] = SCHEMES as [Scheme, Scheme, Scheme];
const V1_THRESHOLD = 10;
const median = (a: number[]) => a[a.length >> 1];
/** Per kind of copy: distance to its own original, and how many land in the original's group. */
const groupsNow = groupIndex(labelled, now, DEFAULT_THRESHOLD);
const groupsBefore = groupIndex(labelled, before, V1_THRESHOLD);
/** Copies the default check leaves out of their original's group, with their v2 distance. */
const missed: string[] = [];
const perKind = LOOK_ALIKES.map(([variant]) => {
  const d1: number[] = [];
  const d2: number[] = [];
  let found1 = 0;
  let found2 = 0;
  labelled.forEach((item, i) => {
    if (item.variant !== variant) return;
    const o = originalOf(labelled, item.source);
    d1.push(distance(prepared([item, labelled[o]!], "v1").hashes, 0, 1));
    d2.push(distance(prepared([item, labelled[o]!], "v2").hashes, 0, 1));
    if (groupsBefore[i] !== -1 && groupsBefore[i] === groupsBefore[o]) found1++;
    if (groupsNow[i] !== -1 && groupsNow[i] === groupsNow[o]) found2++;
    else missed.push(`${variant} of ${names[item.source]} (${d2.at(-1)} bits)`);
  });
  d1.sort((a, b) => a - b);
  d2.sort((a, b) => a - b);
  return {
    copy: variant,
    "v1 median / max distance": `${median(d1)} / ${d1.at(-1)}`,
    [`v1: with its original at t=${V1_THRESHOLD}`]: `${found1} / ${d1.length}`,
    "v2 median / max distance": `${median(d2)} / ${d2.at(-1)}`,
    [`v2 + colours: with its original at t=${DEFAULT_THRESHOLD}`]: `${found2} / ${d2.length}`,
  };
});

/** How much of a picture is coloured (0–1), from its colour signature's hue shares. */
const colouredShare = (item: Item) =>
  Array.from(parseColours([item.colour]).subarray(0, SIGNATURE_BYTES - 1)).reduce((a, b) => a + b, 0) / 255;
/**
 * Other pictures: how many pass the pair check with their original (v1 at 10, v2 + colours at the
 * default), over all and over the originals with a tenth or more of them coloured (the rest are grey
 * drawings or nearly: a recolour leaves them as they were).
 */
const otherKinds = OTHER_PICTURES.map(([variant]) => {
  const joined = { v1: 0, v2: 0, colouredV1: 0, colouredV2: 0, total: 0, coloured: 0 };
  for (const item of others) {
    if (item.variant !== variant) continue;
    const original = labelled[originalOf(labelled, item.source)]!;
    const coloured = colouredShare(original) >= 0.1;
    const v1 = pairJoined([item, original], before, V1_THRESHOLD)(0, 1);
    const v2 = pairJoined([item, original], now, DEFAULT_THRESHOLD)(0, 1);
    joined.total++;
    joined.v1 += +v1;
    joined.v2 += +v2;
    joined.coloured += +coloured;
    joined.colouredV1 += +(coloured && v1);
    joined.colouredV2 += +(coloured && v2);
  }
  return {
    copy: variant,
    [`v1: joined with its original at t=${V1_THRESHOLD}`]: `${joined.v1} / ${joined.total} (coloured ≥ 10 %: ${joined.colouredV1} / ${joined.coloured})`,
    [`v2 + colours: joined at t=${DEFAULT_THRESHOLD}`]: `${joined.v2} / ${joined.total} (coloured ≥ 10 %: ${joined.colouredV2} / ${joined.coloured})`,
  };
});

/** The nearest two different pictures' originals (v2), and which pass the check at the default. */
let nearestStranger = 64;
const lookAlikeOriginals: string[] = [];
const originals = labelled.filter((i) => i.variant === "original");
const pass = pairJoined(originals, now, DEFAULT_THRESHOLD);
const { hashes: originalHashes } = prepared(originals, "v2");
for (let i = 0; i < originals.length; i++)
  for (let j = i + 1; j < originals.length; j++)
    if (originals[i]!.label !== originals[j]!.label) {
      nearestStranger = Math.min(nearestStranger, distance(originalHashes, i, j));
      if (pass(i, j))
        lookAlikeOriginals.push(`${names[originals[i]!.source]} and ${names[originals[j]!.source]}`);
    }

/**
 * The tail that decides chance joins in a big library: the share of pairs of different pictures
 * (all labelled copies) within d bits under v2, with and without the colour check, beside what
 * uniform random 64-bit hashes give (a binomial tail). A library of n pictures has n²/2 pairs.
 */
const binomialTail = (d: number) => {
  let sum = 0;
  let choose = 1;
  for (let k = 0; k <= d; k++) {
    sum += choose;
    choose = (choose * (64 - k)) / (k + 1);
  }
  return sum / 2 ** 64;
};
const TAIL = [12, 14, 16, 18, 20];
const strangerTail = (() => {
  const { hashes, colours } = prepared(labelled, "v2");
  const within = TAIL.map(() => ({ hash: 0, colours: 0 }));
  let pairs = 0;
  for (let i = 0; i < labelled.length; i++)
    for (let j = i + 1; j < labelled.length; j++) {
      if (labelled[i]!.label === labelled[j]!.label) continue;
      pairs++;
      const d = distance(hashes, i, j);
      const alike = coloursAlike(colours, i, j);
      TAIL.forEach((t, k) => {
        if (d > t) return;
        within[k]!.hash++;
        within[k]!.colours += +alike;
      });
    }
  return TAIL.map((t, k) => ({
    "within d bits": String(t),
    "pHash v2 alone": (within[k]!.hash / pairs).toExponential(1),
    "v2 + colour check": (within[k]!.colours / pairs).toExponential(1),
    "uniform random hashes": binomialTail(t).toExponential(1),
    pairs: String(pairs),
  }));
})();

const speed = groupingSpeed();
const machine = machineInfo();
const perSource = LOOK_ALIKES.length + 1;
const md = [
  "# Look-alike detection benchmark",
  "",
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}; run with nice on a shared machine (1-minute load ${loadavg()[0]!.toFixed(1)} at the end).`,
  "",
  `## Precision and recall on a labelled set (${names.length} clip-art images × ${perSource} = ${labelled.length} pictures)`,
  "",
  `Copies of each corpus image: ${LOOK_ALIKES.map(([v]) => v).join(", ")} — made with the Worker's resizer (Squoosh Lanczos3), a real JPEG encode/decode (MozJPEG) and a real lossy WebP (libwebp); the crop keeps the central 90 % of width and height. A pair of pictures is labelled "the same" when both come from one corpus image or from corpus images with identical decoded pixels (${pixelTwins.map((p) => p.join(" = ")).join("; ")}: the first pair differs only in a PNG text chunk, the second are both fully transparent), otherwise "different" (${(names.length * perSource * (perSource - 1)) / 2} pairs from one corpus image). Groups are what a plan with \`match: "similar"\` reports (pairs linked through chains); "pairs ≤ t" judges each pair on its own. Hashing the ${items.length} pictures (these and the other pictures below) took ${labelSeconds.toFixed(1)} s including decoding and making the copies.`,
  "",
  "pHash v2 (fingerprint version 2, what uploads store now): the grey image less its mean, its outer quarters faded by a Tukey window, flat pictures hashed to zeros; joined only when the colour signatures agree too. v1: the first pHash (luminance only, no window).",
  "",
  markdownTable(qualityRows),
  "",
  "Per kind of copy (distance to its own original; nearest two different corpus originals under v2: " +
    `${nearestStranger} bits apart):`,
  "",
  markdownTable(perKind),
  "",
  "Other pictures, kept out of the labelled set: a recolour (same luminance, hue turned 180° — for the grey drawings of the corpus that changes nothing, so those stay alike) and a mirror image (not a look-alike: see bench/similar/copies.mts). A pair check with the original:",
  "",
  markdownTable(otherKinds),
  "",
  "Pairs of different pictures within d bits, as a share of all such pairs in the labelled set (chance joins in a big library scale with this share times n²/2; the corpus' clip art on white is more alike than random hashes, and too small to see the tail below 14 bits):",
  "",
  markdownTable(strangerTail),
  "",
  `Copies not in their original's group at the default: ${missed.join("; ") || "none"}.`,
  "",
  `Different corpus pictures that pass the default check (v2 + colours, t=${DEFAULT_THRESHOLD}): ${lookAlikeOriginals.join("; ") || "none"}.`,
  "",
  "## Grouping speed",
  "",
  "Synthetic 64-bit hashes and colour signatures (seeded): 1 in 10 in clusters of 10 within 6 bits of their centre (one member in five recoloured), the rest uniform; signatures from 16 palettes. Median of 3 runs (pairwise: 1 run). Pure grouping in Node; a plan adds reading the hashes from D1.",
  "",
  markdownTable(speed.rows),
  "",
].join("\n");
writeResults(
  "similar",
  {
    machine,
    labelled: {
      images: names.length,
      pictures: labelled.length,
      pixelTwins,
      quality,
      perKind,
      missed,
      otherKinds,
      nearestStranger,
      strangerTail,
      lookAlikeOriginals,
    },
    speed: speed.raw,
  },
  md,
);
console.log(md);
