import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dateTaken } from "../../src/media/fingerprints/exif";
import { encodeImage, encodePng } from "../../src/wasm/codecs";
import { call, newUser } from "../helpers/api";
import { uploadOk } from "../media/helpers";
import { allFiles, organize, snapshot } from "./helpers";

/**
 * A TIFF block as cameras write it: IFD0 with DateTime and a pointer to the Exif IFD, which holds
 * DateTimeOriginal. Either may be left out; `little` picks II (Intel) or MM (Motorola) order.
 */
function tiff({
  original,
  modified,
  little = true,
}: {
  original?: string;
  modified?: string;
  little?: boolean;
}) {
  const out = new Uint8Array(200);
  const view = new DataView(out.buffer);
  const u16 = (at: number, v: number) => view.setUint16(at, v, little);
  const u32 = (at: number, v: number) => view.setUint32(at, v, little);
  out.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  u16(2, 42);
  u32(4, 8);
  const ifd0 = [...(modified ? [[0x0132, 2, 20, 120]] : []), ...(original ? [[0x8769, 4, 1, 60]] : [])];
  u16(8, ifd0.length);
  ifd0.forEach(([tag, type, count, value], i) => {
    u16(10 + i * 12, tag!);
    u16(12 + i * 12, type!);
    u32(14 + i * 12, count!);
    u32(18 + i * 12, value!);
  });
  // Exif IFD at 60: DateTimeOriginal, its text at 90; DateTime's text at 120.
  u16(60, 1);
  u16(62, 0x9003);
  u16(64, 2);
  u32(66, 20);
  u32(70, 90);
  const text = (at: number, s: string) => out.set([...new TextEncoder().encode(s), 0], at);
  if (original) text(90, original);
  if (modified) text(120, modified);
  return out;
}

const exifHeader = new TextEncoder().encode("Exif\0\0");
function jpegWithExif(jpeg: Uint8Array, block: Uint8Array): Uint8Array {
  const length = 2 + exifHeader.length + block.length;
  const segment = new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...exifHeader, ...block]);
  return new Uint8Array([...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2)]);
}
function pngWithExif(png: Uint8Array, block: Uint8Array): Uint8Array {
  // The chunk after IHDR (8 + 25 bytes); readers don't check the CRC of eXIf for a date.
  const chunk = new Uint8Array(12 + block.length);
  new DataView(chunk.buffer).setUint32(0, block.length);
  chunk.set(new TextEncoder().encode("eXIf"), 4);
  chunk.set(block, 8);
  return new Uint8Array([...png.subarray(0, 33), ...chunk, ...png.subarray(33)]);
}
function webpWithExif(block: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(8 + block.length + (block.length & 1));
  chunk.set(new TextEncoder().encode("EXIF"), 0);
  new DataView(chunk.buffer).setUint32(4, block.length, true);
  chunk.set(block, 8);
  const head = new Uint8Array(12);
  head.set(new TextEncoder().encode("RIFF"), 0);
  new DataView(head.buffer).setUint32(4, 4 + chunk.length, true);
  head.set(new TextEncoder().encode("WEBP"), 8);
  return new Uint8Array([...head, ...chunk]);
}

const image = (shade: number) => ({
  data: new Uint8ClampedArray(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : shade + (i % 7))),
  width: 16,
  height: 16,
});

describe("date taken (EXIF)", () => {
  it("reads DateTimeOriginal, else DateTime, in either byte order from JPEG, PNG and WebP; nonsense is null", async () => {
    const jpeg = await encodeImage(image(90), "jpeg", 80);
    const png = new Uint8Array(await encodePng(image(90)));
    const block = tiff({ original: "2019:07:14 10:20:30", modified: "2024:01:01 00:00:00" });
    expect(dateTaken(jpegWithExif(jpeg, block))).toBe("2019-07-14T10:20:30.000Z");
    expect(dateTaken(jpegWithExif(jpeg, tiff({ original: "2018:12:31 23:59:59", little: false })))).toBe(
      "2018-12-31T23:59:59.000Z",
    );
    expect(dateTaken(jpegWithExif(jpeg, tiff({ modified: "2020:02:29 08:00:00" })))).toBe(
      "2020-02-29T08:00:00.000Z",
    );
    expect(dateTaken(pngWithExif(png, block))).toBe("2019-07-14T10:20:30.000Z");
    expect(dateTaken(webpWithExif(block))).toBe("2019-07-14T10:20:30.000Z");
    expect(dateTaken(jpeg)).toBeNull();
    expect(dateTaken(png)).toBeNull();
    expect(dateTaken(jpegWithExif(jpeg, tiff({ original: "    :  :     :  :  " })))).toBeNull();
    expect(dateTaken(jpegWithExif(jpeg, tiff({ original: "2019:02:31 10:00:00" })))).toBeNull();
    // Truncated and garbage blocks: no date, no throw.
    expect(dateTaken(jpegWithExif(jpeg, block.subarray(0, 30)))).toBeNull();
    expect(dateTaken(jpegWithExif(jpeg, new Uint8Array(64).fill(0xff)))).toBeNull();
    expect(dateTaken(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]))).toBeNull();
  });

  it("a rule on the date taken: the plan reads it at upload or makes it, and files without one never match", async () => {
    const user = await newUser();
    const jpeg = await encodeImage(image(90), "jpeg", 80);
    const summer = await uploadOk(
      user,
      jpegWithExif(jpeg, tiff({ original: "2019:07:14 10:20:30" })),
      "summer.jpg",
    );
    const later = await uploadOk(
      user,
      jpegWithExif(await encodeImage(image(150), "jpeg", 80), tiff({ original: "2021:03:03 12:00:00" })),
      "later.jpg",
    );
    const none = await uploadOk(user, await encodeImage(image(200), "jpeg", 80), "undated.jpg");
    const rules = [
      {
        id: "y2019",
        name: "Taken in 2019",
        filters: { taken: { after: "2019-01-01", before: "2020-01-01" } },
        action: { type: "move", template: "/Photos/2019" },
      },
      { id: "rest", name: "The rest", action: { type: "keep" } },
    ];
    const put = await call("/api/v1/organize/rules", {
      method: "PUT",
      token: user.accessToken,
      json: { rules },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const before = await snapshot(user.id);

    const plan = await organize(user, { dryRun: true });
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");
    const ruleOf = Object.fromEntries((await allFiles(user, plan.id)).map((f) => [f.mediaId, f.rule]));
    expect(ruleOf).toEqual({ [summer.id]: "y2019", [later.id]: "rest", [none.id]: "rest" });
    expect(await snapshot(user.id)).toEqual(before);

    const taken = await env.DB.prepare("SELECT sha256, taken_at FROM blobs WHERE sha256 IN (?, ?, ?)")
      .bind(summer.sha256, later.sha256, none.sha256)
      .all<{ sha256: string; taken_at: string | null }>();
    expect(Object.fromEntries(taken.results.map((r) => [r.sha256, r.taken_at]))).toEqual({
      [summer.sha256]: "2019-07-14T10:20:30.000Z",
      [later.sha256]: "2021-03-03T12:00:00.000Z",
      [none.sha256]: null,
    });

    // The live preview sees the same dates.
    const preview = await call("/api/v1/organize/rules/preview", {
      method: "POST",
      token: user.accessToken,
      json: {},
    });
    expect(preview.status).toBe(200);
    const counted = (await preview.json()) as { rules: { id: string; files: number }[] };
    expect(Object.fromEntries(counted.rules.map((r) => [r.id, r.files]))).toEqual({ y2019: 1, rest: 2 });
  });
});
