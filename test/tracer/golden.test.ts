/// <reference types="vite/client" />
// Golden SVGs per pipeline stage: a change that alters any stage's bytes shows up here, with the stage
// named. Intended changes: `npm run golden:tracer`, then review the SVG diff.
import { describe, expect, it } from "vitest";
import { getTracer } from "../../src/wasm/index";
import { parseSvg } from "./helpers";
import { goldenName, STAGE_FIXTURES, STAGES } from "./stage-fixtures";

const golden = import.meta.glob<string>("./golden/*.svg", { query: "?raw", import: "default", eager: true });
const tracer = getTracer();

describe("golden SVG per stage", () => {
  it("has a golden file for every fixture and stage, and no stale ones", () => {
    const expected = STAGE_FIXTURES.flatMap((f) => STAGES.map((s) => `./golden/${goldenName(f.name, s)}`));
    expect(Object.keys(golden).sort()).toEqual(expected.sort());
  });

  for (const fx of STAGE_FIXTURES) {
    for (const stage of STAGES) {
      it(`${fx.name}: ${stage}`, () => {
        const img = fx.build();
        const { svg } = tracer.traceRgba(img, fx.options, stage === "final" ? {} : { stopAfter: stage });
        if (stage === "final") parseSvg(svg);
        expect(`${svg}\n`).toBe(golden[`./golden/${goldenName(fx.name, stage)}`]);
      });
    }
  }
});
