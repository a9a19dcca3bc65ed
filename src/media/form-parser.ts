import { ApiError } from "../errors";

/**
 * A streaming multipart/form-data parser: a part's bytes are handed to its sink as they arrive, so
 * a large file is never held in the isolate. Only the bytes that might be the start of a boundary
 * are kept back between reads.
 */
export interface PartInfo {
  name: string;
  filename: string | null;
  contentType: string | null;
}

export interface PartSink {
  write(chunk: Uint8Array): Promise<void> | void;
  close(): Promise<void> | void;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_PARTS = 20;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);

const malformed = (detail: string) => new ApiError(400, "malformed_multipart", detail);

export function boundaryOf(contentType: string | undefined): string {
  const type = (contentType ?? "").toLowerCase();
  if (!type.startsWith("multipart/form-data"))
    throw new ApiError(
      415,
      "unsupported_media_type",
      "Send the upload as multipart/form-data with a `file` field.",
    );
  const match = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? "");
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw malformed("The multipart Content-Type has no boundary.");
  return boundary;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parseHeaders(block: string): PartInfo {
  let disposition = "";
  let contentType: string | null = null;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") disposition = value;
    if (key === "content-type") contentType = value;
  }
  if (!/^form-data\b/i.test(disposition))
    throw malformed("A multipart part lacks Content-Disposition: form-data.");
  const param = (key: string) => {
    const star = new RegExp(`;\\s*${key}\\*=([^;]*)`, "i").exec(disposition);
    if (star) {
      const m = /^UTF-8''(.*)$/i.exec(star[1]!.trim());
      if (m) {
        try {
          return decodeURIComponent(m[1]!);
        } catch {
          throw malformed(`The part's ${key}* is not valid percent-encoding.`);
        }
      }
    }
    const quoted = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(disposition);
    if (quoted) return quoted[1]!.replace(/\\(.)/g, "$1");
    const bare = new RegExp(`;\\s*${key}=([^;\\s]*)`, "i").exec(disposition);
    return bare ? bare[1]! : null;
  };
  const name = param("name");
  if (name === null) throw malformed("A multipart part has no field name.");
  return { name, filename: param("filename"), contentType };
}

/**
 * Reads the whole body, calling `open` for each part and streaming the part's bytes into the sink
 * it returns. Sinks may throw (e.g. a 415 after sniffing); the error propagates and reading stops.
 * Reading also stops, with 413, once more than `maxBytes` arrived: a body whose boundary never
 * comes (or whose parts never end) is cut there rather than read to its end.
 */
export async function parseMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  open: (info: PartInfo) => PartSink,
  limits: { maxBytes: number },
): Promise<void> {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const reader = body.getReader();
  // Prepend CRLF so the first boundary looks like every other one.
  let buf: Uint8Array = CRLF;
  let state = "preamble" as "preamble" | "after-boundary" | "headers" | "body" | "end";
  let sink: PartSink | null = null;
  let parts = 0;
  let eof = false;
  let received = 0;

  try {
    while (state !== "end") {
      let progressed = true;
      while (progressed && state !== "end") {
        progressed = false;
        if (state === "preamble") {
          const at = indexOf(buf, delimiter);
          if (at >= 0) {
            buf = buf.subarray(at + delimiter.length);
            state = "after-boundary";
            progressed = true;
          } else if (buf.length > delimiter.length) {
            buf = buf.subarray(buf.length - delimiter.length);
          }
        } else if (state === "after-boundary") {
          if (buf.length >= 2) {
            if (buf[0] === 45 && buf[1] === 45) state = "end";
            else {
              // Transport padding (spaces/tabs) may follow a boundary before its CRLF.
              const nl = indexOf(buf, CRLF);
              if (nl < 0) {
                if (buf.length > 256) throw malformed("A multipart boundary line is malformed.");
                break;
              }
              buf = buf.subarray(nl + 2);
              state = "headers";
            }
            progressed = true;
          }
        } else if (state === "headers") {
          const at = indexOf(buf, HEADER_END);
          if (at >= 0) {
            parts += 1;
            if (parts > MAX_PARTS) throw malformed("The form has too many parts.");
            const info = parseHeaders(new TextDecoder().decode(buf.subarray(0, at)));
            buf = buf.subarray(at + 4);
            sink = open(info);
            state = "body";
            progressed = true;
          } else if (buf.length > MAX_HEADER_BYTES) {
            throw malformed("A multipart part's headers are too long.");
          }
        } else if (state === "body") {
          const at = indexOf(buf, delimiter);
          if (at >= 0) {
            if (at > 0) await sink!.write(buf.slice(0, at));
            await sink!.close();
            sink = null;
            buf = buf.subarray(at + delimiter.length);
            state = "after-boundary";
            progressed = true;
          } else if (buf.length > delimiter.length) {
            const keep = delimiter.length - 1;
            await sink!.write(buf.slice(0, buf.length - keep));
            buf = buf.slice(buf.length - keep);
          }
        }
      }
      if ((state as string) === "end") break;
      if (eof) throw malformed("The multipart body ended early (truncated upload?).");
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        throw new ApiError(400, "upload_interrupted", "The upload stream broke off before it was complete.");
      }
      const { done, value } = result;
      if (done) eof = true;
      else {
        received += value.length;
        if (received > limits.maxBytes)
          throw new ApiError(413, "payload_too_large", `The form is larger than ${limits.maxBytes} bytes.`);
        buf = concat(buf, value);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
