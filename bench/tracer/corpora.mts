// The bench's image sets ("corpora"), each with its own targets. Clip-art comes from the shared corpus
// (bench/lib/corpus.mjs: public-domain openclipart PNGs beside the repository); line art and flat
// colour are rendered here from npm packages (lucide-static, ISC; @twemoji/svg, MIT/CC-BY 4.0); the rest
// is generated. Selections are fixed strides over sorted file lists, never hand-picked.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pngDecode from "@jsquash/png/decode.js";
import { clipartCorpus } from "../lib/corpus.mjs";
import {
  emoji,
  flatArt,
  glyphs,
  gradient,
  lineArt,
  linearRamp,
  photoLike,
  radialBlob,
  skyScene,
} from "./images.mts";
import type { Rgba } from "./metrics.mts";

export type Corpus = "clipart" | "lineart" | "emoji" | "gradients" | "glyphs" | "photo" | "large";
export const CORPORA: Corpus[] = ["clipart", "lineart", "emoji", "gradients", "glyphs", "photo", "large"];

export interface Case {
  name: string;
  corpus: Corpus;
  /** "color": our default colour mode vs VTracer & co; "binary": binary mode vs potrace */
  run: "color" | "binary";
  load: () => Promise<Rgba>;
}

const require = createRequire(import.meta.url);
const toBuf = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** every `stride`-th entry of a sorted list, `count` of them, starting at `offset` */
function stride<T>(list: T[], count: number, offset = 0): T[] {
  const step = Math.max(1, Math.floor(list.length / count));
  const out: T[] = [];
  for (let i = offset; i < list.length && out.length < count; i += step) out.push(list[i]!);
  return out;
}

/** B/W clip-art that is also traced in binary mode (black shapes, like glyphs). */
const BINARY_CLIPART = new Set([
  "geography__northern-territory-black.png",
  "office__cross_hand_drawn_linda_k_01.png",
]);
const STROKE_COLORS = [
  "#000000",
  "#1d4ed8",
  "#222222",
  "#b91c1c",
  "#333340",
  "#15803d",
  "#111111",
  "#7c3aed",
];

export function buildCases(opts: {
  large: boolean;
  lineart: number;
  emoji: number;
  corpora: Corpus[];
}): Case[] {
  const cases: Case[] = [];
  // clipartCorpus exits with a clear message when the corpus is missing (it never shrinks silently)
  const wantsClipart = opts.corpora.includes("clipart") || opts.corpora.includes("glyphs");
  const dir = wantsClipart ? clipartCorpus("bench:tracer") : "";
  const clipart = wantsClipart ? readdirSync(dir).filter((f) => f.endsWith(".png")) : [];
  for (const f of clipart.sort()) {
    const load = async () => {
      const bytes = new Uint8Array(readFileSync(path.join(dir, f)));
      return (await pngDecode(toBuf(bytes))) as Rgba;
    };
    const name = f.replace(/\.png$/, "");
    cases.push({ name, corpus: "clipart", run: "color", load });
    if (BINARY_CLIPART.has(f))
      cases.push({ name: `${name} (binary)`, corpus: "glyphs", run: "binary", load });
  }

  const iconDir = path.join(path.dirname(require.resolve("lucide-static/package.json")), "icons");
  const icons = stride(
    readdirSync(iconDir)
      .filter((f) => f.endsWith(".svg"))
      .sort(),
    opts.lineart,
    3,
  );
  icons.forEach((f, i) => {
    const size = 384 + ((i * 37) % 129);
    const stroke = 1.5 + ((i * 0.61) % 2.5);
    const color = STROKE_COLORS[i % STROKE_COLORS.length]!;
    const opaque = i % 2 === 0;
    const name = `lucide-${f.replace(/\.svg$/, "")}-${size}px-${stroke.toFixed(1)}w-${opaque ? "white" : "clear"}`;
    const load = async () =>
      lineArt(readFileSync(path.join(iconDir, f), "utf8"), size, stroke, color, opaque);
    cases.push({ name, corpus: "lineart", run: "color", load });
    cases.push({ name: `${name} (binary)`, corpus: "lineart", run: "binary", load });
  });

  const emojiDir = path.dirname(require.resolve("@twemoji/svg/package.json"));
  const emojis = stride(
    readdirSync(emojiDir)
      .filter((f) => f.endsWith(".svg"))
      .sort(),
    opts.emoji,
    5,
  );
  for (const f of emojis) {
    cases.push({
      name: `twemoji-${f.replace(/\.svg$/, "")}`,
      corpus: "emoji",
      run: "color",
      load: async () => emoji(readFileSync(path.join(emojiDir, f), "utf8"), 384),
    });
  }

  const gen = (name: string, corpus: Corpus, run: Case["run"], f: () => Rgba) =>
    cases.push({ name, corpus, run, load: async () => f() });
  gen("gen-gradient", "gradients", "color", gradient);
  gen("gen-linear-ramp", "gradients", "color", linearRamp);
  gen("gen-radial", "gradients", "color", radialBlob);
  gen("gen-sky", "gradients", "color", skyScene);
  gen("gen-photo-like", "photo", "color", () => photoLike());
  gen("gen-photo-like-2", "photo", "color", () => photoLike(11, 512, 384));
  gen("gen-glyphs", "glyphs", "color", glyphs);
  gen("gen-glyphs (binary)", "glyphs", "binary", glyphs);
  if (opts.large) {
    gen("gen-flat-4mp", "large", "color", () => flatArt(2048));
    gen("gen-flat-16mp", "large", "color", () => flatArt(4000));
  }
  return cases;
}
