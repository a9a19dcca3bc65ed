// The quality report's SSIM (src/vectorize/quality/ssim.ts): the number ssim.js gives with its
// defaults, bit for bit, with and without its downsampling; and an image narrower than the SSIM
// window still gets a report (ssim.js throws there, which failed the job).
import ssimModule from "ssim.js";
import { describe, expect, it } from "vitest";
import { compositeOn } from "../../src/vectorize/quality/metrics";
import { meanSsim } from "../../src/vectorize/quality/ssim";
import { decodeImage, encodePng } from "../../src/wasm/codecs";
import { resample } from "../../src/wasm/resize";
import { newUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { brighten, type Rgba, stamp } from "../helpers/image-variants";
import { uploadOk } from "../media/helpers";
import { vectorized } from "./helpers";

type SsimImage = Parameters<typeof ssimModule>[0];
// ssim.js is CommonJS: bundlers hand over either the function or its module object.
const ssimJs: typeof ssimModule = Reflect.get(ssimModule, "ssim") ?? ssimModule;
const reference = (a: Rgba, b: Rgba) =>
  ssimJs(
    { ...a, data: new Uint8ClampedArray(a.data) } as SsimImage,
    { ...b, data: new Uint8ClampedArray(b.data) } as SsimImage,
  ).mssim;

async function onWhite(name: string, width?: number, height?: number): Promise<Rgba> {
  const image = (await decodeImage("image/png", (await fixture(name)).slice().buffer)) as Rgba;
  const sized = width && height ? await resample(image, width, height) : image;
  const drawn = compositeOn(sized, 255, 255, 255);
  return { ...drawn, data: new Uint8ClampedArray(drawn.data) };
}

describe("SSIM of the quality report", () => {
  it("is ssim.js's mean SSIM exactly, at the comparison size and where ssim.js downsamples", async () => {
    const cases: [string, number?, number?][] = [
      ["recreation__toys__rubik.png", 362, 512],
      ["buildings__homes__my_house_01.png", 512, 400], // min side ≥ 384: ssim.js halves both first
      ["animals__birds__crow_01.png", 97, 61],
    ];
    for (const [name, w, h] of cases) {
      const source = await onWhite(name, w, h);
      for (const other of [brighten(source, 1.15), stamp(source, 0.05), source]) {
        expect(meanSsim(source, other), name).toBe(reference(source, other));
      }
    }
  });

  it("measures an image narrower than its 11 px window (ssim.js throws) with a window that fits", async () => {
    const source = await onWhite("recreation__toys__rubik.png", 6, 80);
    expect(() => reference(source, stamp(source, 0.1))).toThrow(RangeError);
    expect(meanSsim(source, source)).toBe(1);
    const s = meanSsim(source, stamp(source, 0.1));
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(1);
  });

  it("a vectorize job of a 6 px wide image succeeds with its quality report", async () => {
    const user = await newUser();
    const narrow = await onWhite("recreation__toys__rubik.png", 6, 80);
    const source = await uploadOk(user, new Uint8Array(await encodePng(narrow)), "narrow.png");
    const job = await vectorized(user, source.id, { preset: "logo" });
    expect(job.status, JSON.stringify(job.error)).toBe("succeeded");
    const quality = (job.result as { quality: { ssim: number } }).quality;
    expect(quality.ssim).toBeGreaterThan(0);
    expect(quality.ssim).toBeLessThanOrEqual(1);
  }, 60_000);
});
