import { describe, expect, it } from "vitest";
import { PngChunkWalker } from "../../src/lib/image-header";
import { parseMultipart } from "../../src/media/form-parser";
import { contentDisposition, normalizeFolder, normalizeTags } from "../../src/media/names";
import { parseRange } from "../../src/media/serve";
import { decideType } from "../../src/media/sniff";
import { svgProblem } from "../../src/media/svg";
import { TINY_PNG } from "./helpers";

function trickle(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

describe("streaming multipart parser", () => {
  it("finds boundaries split across any chunk size, including bytes that look like a boundary", async () => {
    const payload = "line1\r\n--boun\r\nx--bound\r\n--boun";
    const body = new TextEncoder().encode(
      `preamble\r\n--bound\r\nContent-Disposition: form-data; name="folder"\r\n\r\n/a\r\n--bound\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%C3%A9.txt\r\nContent-Type: text/plain\r\n\r\n${payload}\r\n--bound--\r\n`,
    );
    for (const size of [1, 2, 7, 64, 100_000]) {
      const got: Record<string, string> = {};
      const files: string[] = [];
      await parseMultipart(
        trickle(body, size),
        "bound",
        (info) => {
          const chunks: Uint8Array[] = [];
          if (info.filename) files.push(info.filename);
          return {
            write: (c) => {
              chunks.push(c);
            },
            close: () => {
              got[info.name] = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
            },
          };
        },
        { maxBytes: body.length },
      );
      expect(got, `chunk ${size}`).toEqual({ folder: "/a", file: payload });
      expect(files).toEqual(["é.txt"]);
    }
  });
});

describe("pure helpers", () => {
  it("ranges", () => {
    expect(parseRange("bytes=0-0", 1)).toEqual({ start: 0, end: 0 });
    expect(parseRange("bytes=-1", 0)).toBe("unsatisfiable");
    // Files stored empty before 0-byte uploads were refused have no satisfiable range.
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-", 0)).toBe("unsatisfiable");
    expect(parseRange(undefined, 10)).toBeNull();
  });

  it("types decided by bytes, names only veto", () => {
    const text = new TextEncoder().encode("a,b\n1,2\n");
    expect(decideType(text, "data.csv", false)).toEqual({
      ok: true,
      type: { mime: "text/csv", kind: "text" },
    });
    expect(decideType(text, "data.txt", false)).toMatchObject({ ok: true });
    expect(decideType(TINY_PNG, "image", false)).toMatchObject({ ok: true, type: { mime: "image/png" } });
    expect(decideType(Uint8Array.from([0, 1, 2, 3, 0xff]), "blob", false)).toEqual({
      ok: false,
      reason: "unknown",
    });
    expect(decideType(Uint8Array.from([0, 1, 2, 3, 0xff]), "blob", true)).toMatchObject({
      ok: true,
      type: { mime: "application/octet-stream" },
    });
    expect(decideType(new TextEncoder().encode("%PDF-1.7\n"), "x.pdf", false)).toMatchObject({
      ok: true,
      type: { kind: "document" },
    });
  });

  it("PNG walker accepts a real PNG fed byte by byte", () => {
    const walker = new PngChunkWalker();
    for (const b of TINY_PNG) walker.push(Uint8Array.of(b));
    expect(() => walker.finish()).not.toThrow();
  });

  it("SVG policy", () => {
    expect(
      svgProblem(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a href="#x"/><use xlink:href="#y"/></svg>',
      ),
    ).toBeNull();
    expect(svgProblem('<svg><a href="javascript:alert(1)"/></svg>')).not.toBeNull();
    expect(svgProblem("<svg/onload=alert(1)>")).not.toBeNull();
    expect(svgProblem("<svg><style>@import url(https://x)</style></svg>")).not.toBeNull();
  });

  it("folders, tags, disposition", () => {
    expect(normalizeFolder("")).toBe("/");
    expect(normalizeFolder(" a//b/ ")).toBe("/a/b");
    expect(normalizeTags(" Red, red ,BLUE,, ")).toEqual(["blue", "red"]);
    expect(contentDisposition("attachment", 'a"b;c.txt')).toBe(
      `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b%3Bc.txt`,
    );
  });
});
