import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeImage } from "../../src/wasm/codecs";
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
const image = (shade: number) => ({
  data: new Uint8ClampedArray(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : shade + (i % 7))),
  width: 16,
  height: 16,
});

describe("rules on the date taken (EXIF, read at upload)", () => {
  it("a taken range matches the photos taken then; files without a date never match; the preview agrees", async () => {
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

    const taken = await env.DB.prepare("SELECT id, taken_at FROM media WHERE owner_id = ?")
      .bind(user.id)
      .all<{ id: string; taken_at: string | null }>();
    expect(Object.fromEntries(taken.results.map((r) => [r.id, r.taken_at]))).toEqual({
      [summer.id]: "2019-07-14T10:20:30.000Z",
      [later.id]: "2021-03-03T12:00:00.000Z",
      [none.id]: null,
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
