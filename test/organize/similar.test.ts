import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hammingDistance } from "../../src/media/fingerprints/hash";
import { parseHashes, similarGroups } from "../../src/organize/similar";
import { decodeImage, encodeImage, encodePng } from "../../src/wasm/codecs";
import { resample } from "../../src/wasm/resize";
import { call, newUser, type TestUser } from "../helpers/api";
import { fixture } from "../helpers/fixtures";
import { brighten, flatten, type Rgba, scaled, stamp } from "../helpers/image-variants";
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
  return env.DB.prepare("SELECT fingerprint_status, pixel_hash, phash FROM blobs WHERE sha256 = ?")
    .bind(sha256)
    .first<{ fingerprint_status: string; pixel_hash: string | null; phash: string | null }>();
}

async function groupsOf(user: TestUser, planId: string, match: string) {
  const res = await call(`/api/v1/jobs/${planId}/duplicates?match=${match}&limit=100`, {
    token: user.accessToken,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { groups: { files: { mediaId: string }[] }[] };
  return body.groups.map((g) => g.files.map((f) => f.mediaId).sort());
}

describe("look-alike and same-picture duplicates", () => {
  it("groups resized, re-encoded, brightened and stamped copies with their original and never two originals", async () => {
    const user = await newUser();
    const expected: string[][] = [];
    const pixelTwins: string[][] = [];
    for (const [i, name] of ORIGINALS.entries()) {
      const v = await variants(name);
      const up = (bytes: Uint8Array, suffix: string, ext = "png") =>
        uploadOk(user, bytes, `${name.replace(/\.png$/, "")}-${suffix}.${ext}`, { folder: `/set-${i}` });
      const original = await up(v.bytes, "original");
      const same = await up(v.samePixels, "recompressed");
      expect(same.sha256).not.toBe(original.sha256); // different bytes…
      const copies = [
        await up(v.half, "half"),
        await up(v.jpeg, "q70", "jpg"),
        await up(v.brighter, "brighter"),
        await up(v.stamped, "stamped"),
      ];
      expected.push([original.id, same.id, ...copies.map((c) => c.id)].sort());
      pixelTwins.push([original.id, same.id].sort());
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
    // Distances back the grouping: copies are near their original, originals far apart.
    const hashOf = async (id: string) => (await blobFingerprint(before.get(id)!.sha256))!.phash!;
    for (const group of expected) {
      const hashes = await Promise.all(group.map(hashOf));
      for (const h of hashes.slice(1)) expect(hammingDistance(hashes[0]!, h)).toBeLessThanOrEqual(10);
    }
    const originals = await Promise.all(expected.map((g) => hashOf(g[0]!)));
    for (let a = 0; a < originals.length; a++)
      for (let b = a + 1; b < originals.length; b++)
        expect(hammingDistance(originals[a]!, originals[b]!)).toBeGreaterThan(10);

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
    let seed = 7;
    const rnd = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0).toString(16).padStart(8, "0");
    };
    const hex = Array.from({ length: 1500 }, () => rnd() + rnd());
    // Plant near copies at 1–12 bits from earlier hashes.
    for (let i = 0; i < 300; i++) {
      let h = BigInt(`0x${hex[i * 2]!}`);
      for (let k = 0; k <= i % 12; k++) h ^= 1n << BigInt((i * 7 + k * 13) % 64);
      hex[1499 - i] = h.toString(16).padStart(16, "0");
    }
    for (const threshold of [0, 4, 10, 12]) {
      const parent = hex.map((_, i) => i);
      const find = (i: number): number => {
        while (parent[i] !== i) i = parent[i]!;
        return i;
      };
      for (let i = 0; i < hex.length; i++)
        for (let j = i + 1; j < hex.length; j++)
          if (hammingDistance(hex[i]!, hex[j]!) <= threshold)
            parent[Math.max(find(i), find(j))] = Math.min(find(i), find(j));
      const byRoot = new Map<number, number[]>();
      for (let i = 0; i < hex.length; i++) byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]);
      const brute = [...byRoot.values()].filter((g) => g.length > 1).sort((a, b) => a[0]! - b[0]!);
      expect(similarGroups(parseHashes(hex), threshold)).toEqual(brute);
    }
    expect(() => similarGroups(parseHashes(hex), 13)).toThrow(RangeError);
  });
});
