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

type State = "preamble" | "after-boundary" | "headers" | "body" | "end";

/** The parser between reads: the bytes kept back, where in the form they are, the open part's sink. */
class MultipartMachine {
  // Prepend CRLF so the first boundary looks like every other one.
  buf: Uint8Array = CRLF;
  private state: State = "preamble";
  private sink: PartSink | null = null;
  private parts = 0;

  constructor(
    private readonly delimiter: Uint8Array,
    private readonly open: (info: PartInfo) => PartSink,
  ) {}

  /** Goes as far as the buffered bytes allow; true once the closing boundary has been read. */
  async drain(): Promise<boolean> {
    while (this.state !== "end" && (await this.step())) {}
    return this.state === "end";
  }

  /** One step in the current state; false when it needs more bytes first. */
  private step(): boolean | Promise<boolean> {
    switch (this.state) {
      case "preamble":
        return this.preamble();
      case "after-boundary":
        return this.afterBoundary();
      case "headers":
        return this.headers();
      case "body":
        return this.body();
      default:
        return false;
    }
  }

  private preamble(): boolean {
    const at = indexOf(this.buf, this.delimiter);
    if (at >= 0) {
      this.buf = this.buf.subarray(at + this.delimiter.length);
      this.state = "after-boundary";
      return true;
    }
    if (this.buf.length > this.delimiter.length)
      this.buf = this.buf.subarray(this.buf.length - this.delimiter.length);
    return false;
  }

  private afterBoundary(): boolean {
    if (this.buf.length < 2) return false;
    if (this.buf[0] === 45 && this.buf[1] === 45) {
      this.state = "end";
      return true;
    }
    // Transport padding (spaces/tabs) may follow a boundary before its CRLF.
    const nl = indexOf(this.buf, CRLF);
    if (nl < 0) {
      if (this.buf.length > 256) throw malformed("A multipart boundary line is malformed.");
      return false;
    }
    this.buf = this.buf.subarray(nl + 2);
    this.state = "headers";
    return true;
  }

  private headers(): boolean {
    const at = indexOf(this.buf, HEADER_END);
    if (at < 0) {
      if (this.buf.length > MAX_HEADER_BYTES) throw malformed("A multipart part's headers are too long.");
      return false;
    }
    this.parts += 1;
    if (this.parts > MAX_PARTS) throw malformed("The form has too many parts.");
    const info = parseHeaders(new TextDecoder().decode(this.buf.subarray(0, at)));
    this.buf = this.buf.subarray(at + 4);
    this.sink = this.open(info);
    this.state = "body";
    return true;
  }

  private async body(): Promise<boolean> {
    const sink = this.sink!;
    const at = indexOf(this.buf, this.delimiter);
    if (at >= 0) {
      if (at > 0) await sink.write(this.buf.slice(0, at));
      await sink.close();
      this.sink = null;
      this.buf = this.buf.subarray(at + this.delimiter.length);
      this.state = "after-boundary";
      return true;
    }
    if (this.buf.length > this.delimiter.length) {
      // Keep back only what could be the start of the delimiter.
      const keep = this.delimiter.length - 1;
      await sink.write(this.buf.slice(0, this.buf.length - keep));
      this.buf = this.buf.slice(this.buf.length - keep);
    }
    return false;
  }
}

/** The next piece of the body, or null at its end; a broken stream is a 400. */
async function readPiece(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | null> {
  try {
    const { done, value } = await reader.read();
    return done ? null : value;
  } catch {
    throw new ApiError(400, "upload_interrupted", "The upload stream broke off before it was complete.");
  }
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
  const machine = new MultipartMachine(new TextEncoder().encode(`\r\n--${boundary}`), open);
  const reader = body.getReader();
  let received = 0;
  try {
    while (!(await machine.drain())) {
      const piece = await readPiece(reader);
      if (!piece) throw malformed("The multipart body ended early (truncated upload?).");
      received += piece.length;
      if (received > limits.maxBytes)
        throw new ApiError(413, "payload_too_large", `The form is larger than ${limits.maxBytes} bytes.`);
      machine.buf = concat(machine.buf, piece);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
