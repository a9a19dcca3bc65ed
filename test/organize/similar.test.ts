import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  colourSignature,
  coloursAlike,
  parseColours,
  SIGNATURE_BYTES,
} from "../../src/media/fingerprints/colour";
import { hammingDistance } from "../../src/media/fingerprints/hash";
import { FINGERPRINT_VERSION } from "../../src/media/fingerprints/types";
import { parseHashes, similarGroups } from "../../src/organize/similar";
import { decodeImage, encodeImage, encodePng } from "../../src/wasm/codecs";
import { resample } from "../../src/wasm/resize";
import { call, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import {
  blank,
  brighten,
  crop,
  flatten,
  type Rgba,
  recolour,
  scaled,
  stamp,
} from "../helpers/image-variants";
import { uploadOk } from "../media/helpers";
import { allFiles, followUp, organize, post, snapshot, waitFinal } from "./helpers";

const ORIGINALS = [
  "animals__birds__crow_01.png",
  "buildings__homes__my_house_01.png",
  "recreation__toys__rubik.png",
  "shapes__jigsaw__jigsaw_red_16.png",
  "people__sailing_kids.png",
];

/** The fixture's pixels, and copies: re-compressed PNG (same pixels), half size, JPEG, brighter, stamped. */
async function variants(name: string) {
  const bytes = await fixture(name);
  const image = (await decodeImage("image/png", bytes.slice().buffer)) as Rgba;
  const half = scaled(image, 0.5);
  const opaque = flatten(image);
  return {
    bytes,
    samePixels: new Uint8Array(await encodePng(image)),
    half: new Uint8Array(await encodePng(await resample(image, half.width, half.height))),
    jpeg: await encodeImage(opaque, "jpeg", 70),
    brighter: new Uint8Array(await encodePng(brighten(image, 1.2))),
    stamped: new Uint8Array(await encodePng(stamp(image, 0.02))),
  };
}

async function blobFingerprint(sha256: string) {
  return env.DB.prepare(
    "SELECT fingerprint_status, fingerprint_version, pixel_hash, phash, colour FROM blobs WHERE sha256 = ?",
  )
    .bind(sha256)
    .first<{
      fingerprint_status: string;
      fingerprint_version: number;
      pixel_hash: string | null;
      phash: string | null;
      colour: string | null;
    }>();
}

const decodedFixture = async (name: string) =>
  (await decodeImage("image/png", (await fixture(name)).slice().buffer)) as Rgba;
const png = async (image: Rgba) => new Uint8Array(await encodePng(image));

/** A seeded xorshift32: the same numbers on every run. */
function xorshift(seed: number): () => number {
  return () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
}

/** The groups (≥ 2 members, ascending, ordered by their first) of `n` items linked by `joined`, every pair compared. */
function pairwiseComponents(n: number, joined: (i: number, j: number) => boolean): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i]!;
    return i;
  };
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (joined(i, j)) parent[Math.max(find(i), find(j))] = Math.min(find(i), find(j));
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]);
  return [...byRoot.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
}

async function groupsOf(user: TestUser, planId: string, match: string) {
  const res = await call(`/api/v1/jobs/${planId}/duplicates?match=${match}&limit=100`, {
    token: user.accessToken,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { groups: { files: { mediaId: string }[] }[] };
  return body.groups.map((g) => g.files.map((f) => f.mediaId).sort());
}

/**
 * Uploads a fixture and its variants to `folder`: the ids of all six (sorted), and of the two with
 * the same pixels (the original and its re-compressed copy).
 */
async function uploadVariants(user: TestUser, name: string, folder: string) {
  const v = await variants(name);
  const up = (bytes: Uint8Array, suffix: string, ext = "png") =>
    uploadOk(user, bytes, `${name.replace(/\.png$/, "")}-${suffix}.${ext}`, { folder });
  const original = await up(v.bytes, "original");
  const same = await up(v.samePixels, "recompressed");
  expect(same.sha256).not.toBe(original.sha256); // different bytes…
  const copies = [
    await up(v.half, "half"),
    await up(v.jpeg, "q70", "jpg"),
    await up(v.brighter, "brighter"),
    await up(v.stamped, "stamped"),
  ];
  return {
    all: [original.id, same.id, ...copies.map((c) => c.id)].sort(),
    samePixels: [original.id, same.id].sort(),
  };
}

/**
 * Distances back the grouping: in each group (its first id the original) the copies are near the
 * original, and the originals are far apart.
 */
async function expectDistancesBackGroups(groups: string[][], sha256Of: (id: string) => string) {
  const hashOf = async (id: string) => (await blobFingerprint(sha256Of(id)))!.phash!;
  for (const group of groups) {
    const hashes = await Promise.all(group.map(hashOf));
    for (const h of hashes.slice(1)) expect(hammingDistance(hashes[0]!, h)).toBeLessThanOrEqual(10);
  }
  const originals = await Promise.all(groups.map((g) => hashOf(g[0]!)));
  for (let a = 0; a < originals.length; a++)
    for (let b = a + 1; b < originals.length; b++)
      expect(hammingDistance(originals[a]!, originals[b]!)).toBeGreaterThan(10);
}

/** 1,500 pseudo-random hashes (xorshift, fixed seed) with near copies at 1–12 bits and exact copies planted. */
function plantedHashes(): string[] {
  const random = xorshift(7);
  const rnd = () => random().toString(16).padStart(8, "0");
  const hex = Array.from({ length: 1500 }, () => rnd() + rnd());
  // Plant near copies at 1–12 bits from earlier hashes.
  for (let i = 0; i < 300; i++) {
    let h = BigInt(`0x${hex[i * 2]!}`);
    for (let k = 0; k <= i % 12; k++) h ^= 1n << BigInt((i * 7 + k * 13) % 64);
    hex[1499 - i] = h.toString(16).padStart(16, "0");
  }
  // Exact copies too (one hash shared by several images), some of them also near others.
  for (let i = 0; i < 40; i++) hex[1000 + i] = hex[(i % 8) * 2]!;
  return hex;
}

describe("look-alike and same-picture duplicates", () => {
  it("groups resized, re-encoded, brightened and stamped copies with their original and never two originals", async () => {
    const user = await newUser();
    const expected: string[][] = [];
    const pixelTwins: string[][] = [];
    for (const [i, name] of ORIGINALS.entries()) {
      const uploaded = await uploadVariants(user, name, `/set-${i}`);
      expected.push(uploaded.all);
      pixelTwins.push(uploaded.samePixels);
    }
    const before = await snapshot(user.id);

    // Same picture: only the re-compressed copy joins its original.
    const pixels = await organize(user, { kind: "dedupe", match: "pixels", dryRun: true });
    expect(pixels.status, JSON.stringify(pixels.error)).toBe("succeeded");
    expect((await groupsOf(user, pixels.id, "pixels")).sort()).toEqual([...pixelTwins].sort());
    expect(await groupsOf(user, pixels.id, "bytes")).toEqual([]);

    // Look-alikes: every copy with its original, each original alone in its group.
    const similar = await organize(user, {
      kind: "dedupe",
      match: "similar",
      dryRun: true,
      keep: "largest-resolution",
    });
    expect(similar.status, JSON.stringify(similar.error)).toBe("succeeded");
    expect((await groupsOf(user, similar.id, "similar")).sort()).toEqual([...expected].sort());
    // The finer kinds of the same plan.
    expect((await groupsOf(user, similar.id, "pixels")).sort()).toEqual([...pixelTwins].sort());
    expect(await snapshot(user.id)).toEqual(before);

    // Every upload has its fingerprints on its blob.
    for (const m of before.values()) {
      const fp = await blobFingerprint(m.sha256);
      expect(fp).toMatchObject({ fingerprint_status: "ready" });
      expect(fp!.phash).toMatch(/^[0-9a-f]{16}$/);
      expect(fp!.pixel_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    await expectDistancesBackGroups(expected, (id) => before.get(id)!.sha256);

    // Acting on look-alikes: keep the largest, trash the rest; rollback brings them back.
    const trash = await organize(user, {
      kind: "dedupe",
      match: "similar",
      duplicates: "trash",
      keep: "largest-resolution",
    });
    expect(trash.result).toMatchObject({ statuses: { trashed: expected.flat().length - expected.length } });
    const kept = (await allFiles(user, trash.id)).filter((f) => f.status !== "trashed");
    for (const f of kept) expect(f.originalPath).not.toMatch(/-half\.png$/);
    await followUp(user, trash.id, "rollback");
    expect(await snapshot(user.id)).toEqual(before);
    // 30 uploads (each with its thumbnail, metadata and fingerprints) and four plans: more than the
    // default 30 s on a shared 2-core machine.
  }, 120_000);

  it("the backfill job makes fingerprints for images uploaded before them; plans make missing ones too", async () => {
    const user = await newUser();
    const a = await uploadOk(user, await fixture("unsorted__candela.png"), "candela.png");
    const b = await uploadOk(user, await fixture("computer__bluepane_01.png"), "pane.png");
    const text = await uploadOk(user, "not an image", "notes.txt");
    const forget = (sha: string) =>
      env.DB.prepare(
        "UPDATE blobs SET fingerprint_status = 'none', fingerprint_attempts = 0, pixel_hash = NULL, phash = NULL WHERE sha256 = ?",
      )
        .bind(sha)
        .run();
    await forget(a.sha256);
    await forget(b.sha256);
    const started = await post(user, "/media/fingerprints");
    expect(started.status).toBe(202);
    const job = (await started.json()) as { job: { id: string; type: string } };
    expect(job.job.type).toBe("fingerprints");
    const done = await waitFinal(user, job.job.id);
    expect(done).toMatchObject({ status: "succeeded", result: { fingerprinted: 2, failed: 0 } });
    expect(done.progress).toMatchObject({ unit: "files", done: 2, total: 2 });
    expect(await blobFingerprint(a.sha256)).toMatchObject({ fingerprint_status: "ready" });
    expect(await blobFingerprint(text.sha256)).toMatchObject({ fingerprint_status: "none", phash: null });

    await forget(b.sha256);
    const plan = await organize(user, { kind: "dedupe", match: "similar", dryRun: true });
    expect(plan.status).toBe("succeeded");
    expect(await blobFingerprint(b.sha256)).toMatchObject({ fingerprint_status: "ready" });
  });

  it("grouping by bands finds exactly the components a pairwise comparison finds", () => {
    const hex = plantedHashes();
    const distances = hex.map((a, i) => hex.map((b, j) => (j > i ? hammingDistance(a, b) : 99)));
    // Every threshold: each one probes the bands with its own radii.
    for (let threshold = 0; threshold <= 12; threshold++) {
      const brute = pairwiseComponents(hex.length, (i, j) => distances[i]![j]! <= threshold);
      expect(similarGroups(parseHashes(hex), threshold)).toEqual(brute);
    }
    expect(() => similarGroups(parseHashes(hex), 13)).toThrow(RangeError);
  });
  it("finds stamped and 10 %-cropped copies, and blank pictures' resized copies; keeps recolours and blanks of other colours apart", async () => {
    const user = await newUser();
    const up = async (image: Rgba, name: string) =>
      (await uploadOk(user, await png(image), `${name}.png`)).id;
    const expected: string[][] = [];
    // Edits at the edges, which moved 12–16 of the first pHash's bits (more than its threshold).
    for (const name of [
      "computer__bluepane_01.png",
      "shapes__arrows__arrow08_4.png",
      "food__desserts__glace_03_bw_jean-victor__01.png",
    ]) {
      const image = await decodedFixture(name);
      expected.push([await up(image, name), await up(stamp(image, 0.02), `${name}-stamped`)]);
    }
    for (const name of ["people__sailing_kids.png", "shapes__jigsaw__jigsaw_red_16.png"]) {
      const image = await decodedFixture(name);
      expected.push([await up(image, `${name}-whole`), await up(crop(image, 0.9), `${name}-cropped`)]);
    }
    // A blank (fully transparent) picture and its half-size copy: the DCT of a flat picture is noise.
    const empty = blank(120, 120, [0, 0, 0, 0]);
    expected.push([await up(empty, "empty"), await up(await resample(empty, 60, 60), "empty-half")]);
    // Same luminance, other colours: different pictures, each alone.
    const jigsaw = await decodedFixture("shapes__jigsaw__jigsaw_red_16.png");
    await up(recolour(jigsaw, 180), "jigsaw-green");
    const rubik = await decodedFixture("recreation__toys__rubik.png");
    await up(recolour(rubik, 120), "rubik-recoloured");
    await up(blank(64, 64, [0, 0, 0, 255]), "black");
    await up(blank(64, 64, [200, 0, 0, 255]), "red");

    const plan = await organize(user, { kind: "dedupe", match: "similar", dryRun: true });
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");
    expect((await groupsOf(user, plan.id, "similar")).sort()).toEqual(expected.map((g) => g.sort()).sort());
  }, 120_000);

  it("makes look-alike fingerprints of an older version again (backfill job and plans), then groups by them", async () => {
    const user = await newUser();
    const image = await decodedFixture("animals__birds__crow_01.png");
    const half = scaled(image, 0.5);
    const a = await uploadOk(user, await png(image), "crow.png");
    const b = await uploadOk(
      user,
      await png(await resample(image, half.width, half.height)),
      "crow-half.png",
    );
    expect(await blobFingerprint(a.sha256)).toMatchObject({ fingerprint_version: FINGERPRINT_VERSION });
    // As the first version left them: ready, a pHash not comparable with today's, no colours.
    const olden = (sha: string, phash: string) =>
      env.DB.prepare(
        "UPDATE blobs SET fingerprint_version = 0, colour = NULL, phash = ?, fingerprint_attempts = 3 WHERE sha256 = ?",
      )
        .bind(phash, sha)
        .run();
    await olden(a.sha256, "0000000000000000");
    await olden(b.sha256, "ffffffffffffffff");
    const started = await post(user, "/media/fingerprints");
    expect(started.status).toBe(202);
    const job = (await started.json()) as { job: { id: string } };
    expect(await waitFinal(user, job.job.id)).toMatchObject({
      status: "succeeded",
      result: { fingerprinted: 2, failed: 0 },
    });
    for (const sha of [a.sha256, b.sha256])
      expect(await blobFingerprint(sha)).toMatchObject({
        fingerprint_status: "ready",
        fingerprint_version: FINGERPRINT_VERSION,
        phash: expect.stringMatching(/^[0-9a-f]{16}$/),
        colour: expect.stringMatching(/^[0-9a-f]{18}$/),
      });

    // A plan makes them too, before it groups.
    await olden(b.sha256, "ffffffffffffffff");
    const plan = await organize(user, { kind: "dedupe", match: "similar", dryRun: true });
    expect(plan.status, JSON.stringify(plan.error)).toBe("succeeded");
    expect(await blobFingerprint(b.sha256)).toMatchObject({ fingerprint_version: FINGERPRINT_VERSION });
    expect(await groupsOf(user, plan.id, "similar")).toEqual([[a.id, b.id].sort()]);
  }, 60_000);

  it("with colour signatures, bands join exactly the pairs a pairwise comparison of hash and colour joins", () => {
    const rnd = xorshift(11);
    const hex8 = () => rnd().toString(16).padStart(8, "0");
    const n = 800;
    const hex = Array.from({ length: n }, () => hex8() + hex8());
    // Two palettes of colour signatures, far apart (reds vs blues), each with small differences.
    const signature = (blue: boolean) => {
      const hues = Array.from({ length: 8 }, (_, k) => (k === (blue ? 5 : 0) ? 60 + (rnd() % 8) : rnd() % 3));
      return [...hues, 200 + (rnd() % 10)].map((v) => v.toString(16).padStart(2, "0")).join("");
    };
    const blue = Array.from({ length: n }, () => rnd() % 2 === 0);
    // Near and identical copies of earlier hashes, one in three with the other palette.
    for (let i = 0; i < 200; i++) {
      let h = BigInt(`0x${hex[i]!}`);
      for (let k = 0; k < i % 8; k++) h ^= 1n << BigInt((i * 5 + k * 11) % 64);
      hex[n - 1 - i] = h.toString(16).padStart(16, "0");
      blue[n - 1 - i] = i % 3 === 0 ? !blue[i] : blue[i]!;
    }
    const colourHex = blue.map(signature);
    const colours = parseColours(colourHex);
    expect(colours.length).toBe(n * SIGNATURE_BYTES);
    for (const threshold of [0, 5, 12]) {
      const brute = pairwiseComponents(
        n,
        (i, j) => hammingDistance(hex[i]!, hex[j]!) <= threshold && coloursAlike(colours, i, j),
      );
      const banded = similarGroups(parseHashes(hex), threshold, colours);
      expect(banded).toEqual(brute);
      // The colours decide something: without them there are more or bigger groups.
      expect(similarGroups(parseHashes(hex), threshold).flat().length).toBeGreaterThan(banded.flat().length);
    }
  });

  it("a big picture's colour signature (a sampled grid) agrees with its half-size copy's, not with its recolour's", async () => {
    // 2048×1024 = 2 MP, over the 1 MP read whole: a red third, a blue third, a grey ramp.
    const big = blank(2048, 1024, [0, 0, 0, 255]);
    const column = (x: number) => {
      const grey = (x * 255) / 2048;
      return [
        [220, 40, 30],
        [30, 60, 200],
        [grey, grey, grey],
      ][Math.floor((x * 3) / 2048)]!;
    };
    for (let y = 0; y < 1024; y++) for (let x = 0; x < 2048; x++) big.data.set(column(x), (y * 2048 + x) * 4);
    const half = await resample(big, 1024, 512);
    const signatures = [big, half, recolour(big, 120)].map(colourSignature);
    for (const s of signatures) expect(s).toMatch(/^[0-9a-f]{18}$/);
    const colours = parseColours(signatures);
    expect(coloursAlike(colours, 0, 1)).toBe(true);
    expect(coloursAlike(colours, 0, 2)).toBe(false);
  });
});
