// npm run bench:tracer-binary [-- --rounds N] [--corpus glyphs,lineart]
// Binary mode's time against esm-potrace only, interleaved: every round traces each image with ours and
// potrace back to back (the order alternating per round), so load from other work on a shared machine
// falls on both alike; per image the median and the minimum over the rounds. The full bench times each
// tracer's repeats one after the other, which a busy machine skews (glyphs: ×2.63 there, ×1.31 on a
// rerun with the same code). Writes bench/results/tracer-binary.{json,md}.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getNodeTracer } from "../../src/wasm/node";
import { buildCases, type Corpus } from "./corpora.mts";
import { potrace } from "./peers.mts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt("--rounds") ?? 11);
const corpora = (opt("--corpus") ?? "glyphs").split(",") as Corpus[];

const tracer = await getNodeTracer();
const cases = buildCases({ corpora, large: false, lineart: 16, emoji: 0 }).filter(
  (c) => c.run === "binary" && corpora.includes(c.corpus),
);
const images = await Promise.all(
  cases.map(async (c) => ({ name: c.name, corpus: c.corpus, img: await c.load() })),
);
const runs = {
  ours: (img: (typeof images)[number]["img"]) => Promise.resolve(tracer.traceRgba(img, { mode: "binary" })),
  potrace: (img: (typeof images)[number]["img"]) => potrace(img, false),
};
type Who = keyof typeof runs;
const times = images.map(() => ({ ours: [] as number[], potrace: [] as number[] }));
// warm-up: compile, first memory growth
for (const { img } of images) for (const who of ["ours", "potrace"] as Who[]) await runs[who](img);
const loadBefore = os.loadavg();
const t0 = Date.now();
for (let r = 0; r < rounds; r++)
  for (const [i, { img }] of images.entries())
    for (const who of (r % 2 ? ["potrace", "ours"] : ["ours", "potrace"]) as Who[]) {
      const start = performance.now();
      await runs[who](img);
      times[i]![who].push(performance.now() - start);
    }
const loadAfter = os.loadavg();

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const rows = images.map(({ name, corpus, img }, i) => ({
  name,
  corpus,
  size: `${img.width}×${img.height}`,
  ours: { median: median(times[i]!.ours), min: Math.min(...times[i]!.ours) },
  potrace: { median: median(times[i]!.potrace), min: Math.min(...times[i]!.potrace) },
}));
const machine = `${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores, Node ${process.version}`;
const load = `load average ${loadBefore.map((x) => x.toFixed(1)).join("/")} before, ${loadAfter.map((x) => x.toFixed(1)).join("/")} after (1/5/15 min)`;
const f = (x: number) => x.toFixed(1);
const lines = [
  "# Tracer bench: binary mode time against potrace, interleaved",
  "",
  `Machine: ${machine}; ${new Date(t0).toISOString()}, ${((Date.now() - t0) / 1000).toFixed(0)} s; ${load}. ${rounds} rounds, each image traced by both back to back (order alternating).`,
  "",
  "| image | corpus | size | ours median ms | potrace median ms | ratio (median) | ours / potrace min ms |",
  "|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.corpus} | ${r.size} | ${f(r.ours.median)} | ${f(r.potrace.median)} | ×${(r.ours.median / r.potrace.median).toFixed(2)} | ${f(r.ours.min)} / ${f(r.potrace.min)} |`,
  ),
  ...corpora.map((c) => {
    const of = rows.filter((r) => r.corpus === c);
    const sum = (g: (r: (typeof rows)[number]) => number) => of.reduce((s, r) => s + g(r), 0);
    const [om, pm, on, pn] = [
      sum((r) => r.ours.median),
      sum((r) => r.potrace.median),
      sum((r) => r.ours.min),
      sum((r) => r.potrace.min),
    ];
    return `| **${c} total** | ${c} | ${of.length} images | ${f(om)} | ${f(pm)} | **×${(om / pm).toFixed(2)}** | ${f(on)} / ${f(pn)} (×${(on / pn).toFixed(2)}) |`;
  }),
  "",
];
writeFileSync(path.join(root, "bench/results/tracer-binary.md"), lines.join("\n"));
writeFileSync(
  path.join(root, "bench/results/tracer-binary.json"),
  `${JSON.stringify({ machine, load: { before: loadBefore, after: loadAfter }, rounds, rows }, null, 2)}\n`,
);
console.log(lines.join("\n"));
