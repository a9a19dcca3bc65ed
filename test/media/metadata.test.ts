import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../src/db/client";
import { orient } from "../../src/media/images/pipeline";
import { generateThumbnail } from "../../src/media/thumbnails";
import { decodeImage } from "../../src/wasm/codecs";
import { call, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { allFiles, organize } from "../organize/helpers";
import { type MediaJson, TINY_PNG, uploadOk } from "./helpers";

// The three photo fixtures carry the same EXIF and XMP (test/fixtures/README.md): taken
// 2021-07-14 15:32:10 at +02:00, a Canon EOS 80D, orientation 6 (turn 90° clockwise), GPS near Paris.
const EXPECTED = {
  takenAt: "2021-07-14T13:32:10.000Z",
  takenLocal: "2021-07-14T15:32:10",
  takenOffset: "+02:00",
  make: "Canon",
  model: "Canon EOS 80D",
  lens: "EF-S18-135mm",
  orientation: 6,
  exposureTime: 0.004,
  fNumber: 5.6,
  iso: 200,
  focalLength: 35,
  title: "Cube on a table",
};

describe("EXIF/XMP metadata at upload", () => {
  let user: TestUser;
  const photos: Record<string, MediaJson> = {};
  let plain: MediaJson;

  beforeAll(async () => {
    user = await newUser();
    for (const ext of ["jpg", "png", "webp"])
      photos[ext] = await uploadOk(user, await fixture(`photo-exif.${ext}`), `photo.${ext}`, {
        folder: "/camera",
      });
    plain = await uploadOk(user, TINY_PNG, "plain.png", { folder: "/camera" });
  });

  it("reads date taken, camera, exposure, orientation and GPS from JPEG, PNG and WebP", () => {
    for (const [ext, media] of Object.entries(photos)) {
      expect(media.takenAt, ext).toBe(EXPECTED.takenAt);
      expect(media.metadata, ext).toMatchObject(EXPECTED);
      expect(media.metadata?.gps?.latitude, ext).toBeCloseTo(48.8584, 4);
      expect(media.metadata?.gps?.longitude, ext).toBeCloseTo(2.2945, 4);
    }
    // Orientation 6 shows the stored 320 × 200 JPEG as 200 × 320.
    expect([photos.jpg!.width, photos.jpg!.height]).toEqual([200, 320]);
    expect(plain.takenAt).toBeNull();
    expect(plain.metadata).toBeNull();
  });

  it("sorts and filters by date taken (files without one sort by upload date)", async () => {
    const ids = async (query: string) =>
      (
        await (
          await call(`/api/v1/media?folder=/camera&${query}`, { token: user.accessToken })
        ).json<{
          items: MediaJson[];
        }>()
      ).items.map((m) => m.id);
    const byTaken = await ids("sort=taken");
    expect(byTaken.at(-1)).toBe(plain.id);
    expect(new Set(byTaken.slice(0, 3))).toEqual(new Set(Object.values(photos).map((m) => m.id)));
    expect((await ids("sort=-taken"))[0]).toBe(plain.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(
        `/api/v1/media?folder=/camera&sort=taken&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        {
          token: user.accessToken,
        },
      );
      const page = await res.json<{ items: MediaJson[]; nextCursor: string | null }>();
      paged.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(byTaken);
    const july = await ids("takenFrom=2021-07-01T00:00:00Z&takenTo=2021-08-01T00:00:00Z");
    expect(july.sort()).toEqual(
      Object.values(photos)
        .map((m) => m.id)
        .sort(),
    );
    expect(await ids("takenFrom=2022-01-01T00:00:00Z")).toEqual([]);
  });

  it("thumbnails and transformations are turned upright", async () => {
    const jpg = photos.jpg!;
    await generateThumbnail(getDb(env.DB), env.MEDIA, jpg.sha256);
    const thumb = await call(`/api/v1/media/${jpg.id}/thumbnail`, { token: user.accessToken });
    expect(thumb.status).toBe(200);
    const t = await decodeImage("image/webp", await thumb.arrayBuffer());
    expect([t.width, t.height]).toEqual([160, 256]);
    const res = await call(`/api/v1/media/${jpg.id}/image?w=100&format=png`, { token: user.accessToken });
    const out = await decodeImage("image/png", await res.arrayBuffer());
    expect([out.width, out.height]).toEqual([100, 160]);
  });

  it("organizer templates can use {taken.yyyy} and {taken.mm}", async () => {
    const job = await organize(user, {
      folder: "/camera",
      dryRun: true,
      template: "/Photos/{taken.yyyy}/{taken.mm}",
    });
    expect(job.status).toBe("succeeded");
    const files = await allFiles(user, job.id);
    const byId = new Map(files.map((f) => [f.mediaId, f]));
    for (const media of Object.values(photos))
      expect(byId.get(media.id)?.newPath).toMatch(/^\/Photos\/2021\/07\//);
    // Without a date taken, the upload's date.
    const now = new Date();
    const month = String(now.getUTCMonth() + 1).padStart(2, "0");
    expect(byId.get(plain.id)?.newPath).toBe(`/Photos/${now.getUTCFullYear()}/${month}/plain.png`);
    // The JSON report downloads under a real file name, like the CSV.
    const report = await call(`/api/v1/jobs/${job.id}/report?format=json`, { token: user.accessToken });
    expect(report.headers.get("content-disposition")).toBe(`attachment; filename="organize-${job.id}.json"`);
    await report.arrayBuffer();
  });
});

describe("EXIF orientation", () => {
  // 3 × 2 pixels a b c / d e f, each pixel's red channel its letter.
  const image = () => ({
    data: new Uint8ClampedArray([..."abcdef"].flatMap((c) => [c.charCodeAt(0), 0, 0, 255])),
    width: 3,
    height: 2,
  });
  const rows = (img: { data: Uint8ClampedArray; width: number; height: number }) =>
    Array.from({ length: img.height }, (_, y) =>
      Array.from({ length: img.width }, (_, x) =>
        String.fromCharCode(img.data[(y * img.width + x) * 4]!),
      ).join(""),
    );

  it("turns and mirrors as EXIF says (1–8)", () => {
    const expected: Record<number, string[]> = {
      1: ["abc", "def"],
      2: ["cba", "fed"],
      3: ["fed", "cba"],
      4: ["def", "abc"],
      5: ["ad", "be", "cf"],
      6: ["da", "eb", "fc"],
      7: ["fc", "eb", "da"],
      8: ["cf", "be", "ad"],
    };
    for (const [o, want] of Object.entries(expected))
      expect(rows(orient(image(), Number(o))), o).toEqual(want);
  });
});
