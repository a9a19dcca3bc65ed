import { ApiError } from "../errors";
import { toHex } from "../lib/crypto";
import { type Dimensions, ImageProblem, PngChunkWalker, readDimensions } from "../lib/image-header";
import type { NewMedia } from "./library";
import { ChunkCapture, jpegMetadata, type RawMetadata } from "./metadata/capture";
import { extractMetadata, type MediaMetadata } from "./metadata/extract";
import { quotaExceeded } from "./quota";
import { decideType, type Sniffed } from "./sniff";
import { MAX_SVG_BYTES, svgProblem } from "./svg";

/** Bytes kept before the type is decided: enough for magic numbers and image headers (JPEG EXIF). */
export const HEAD_BYTES = 256 * 1024;

export interface IngestLimits {
  maxBytes: number;
  maxPixels: number;
  allowUnknown: boolean;
  /** Bytes left in the user's quota when the upload started (refuse early; D1 decides for sure). */
  quotaBytesLeft: number;
}

export interface Inspected {
  type: Sniffed;
  /** As shown: width and height swapped when EXIF orientation turns the image a quarter. */
  dimensions: Dimensions | null;
  size: number;
  sha256: string;
  metadata: MediaMetadata | null;
}

/** What an inspected file says about itself, as the fields of its media row (see `NewMedia`). */
export function inspectedFields(
  file: Inspected,
): Pick<NewMedia, "mime" | "kind" | "size" | "sha256" | "width" | "height" | "metadata"> {
  return {
    mime: file.type.mime,
    kind: file.type.kind,
    size: file.size,
    sha256: file.sha256,
    width: file.dimensions?.width ?? null,
    height: file.dimensions?.height ?? null,
    metadata: file.metadata,
  };
}

/** Where accepted bytes go (an R2 writer), or nowhere when they are already in R2. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

const tooLarge = (limit: number) =>
  new ApiError(413, "file_too_large", `The file is larger than the ${limit}-byte limit for this route.`);

/**
 * Checks an upload as it streams past: type from magic bytes (and the name's claim), image size
 * from the header against the pixel budget, PNG structure, SVG safety, size limits; SHA-256 over
 * every byte. Nothing is decoded. Any failure is an ApiError (4xx) thrown from write/close.
 */
export class Inspector {
  private head: Uint8Array[] = [];
  private headSize = 0;
  private decided: { type: Sniffed; dimensions: Dimensions | null } | null = null;
  private png: PngChunkWalker | null = null;
  private svg: Uint8Array[] | null = null;
  private raw: RawMetadata | null = null;
  private capture: ChunkCapture | null = null;
  private size = 0;
  private readonly digest = new crypto.DigestStream("SHA-256");
  private readonly digestWriter = this.digest.getWriter();

  constructor(
    private readonly name: string,
    private readonly limits: IngestLimits,
    private readonly sink: ByteSink | null,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    if (this.decided) return this.pass(chunk);
    this.head.push(chunk);
    this.headSize += chunk.length;
    if (this.headSize >= HEAD_BYTES) await this.decide();
  }

  async close(): Promise<Inspected> {
    if (!this.decided) {
      if (this.headSize === 0)
        throw new ApiError(422, "empty_file", "The file is empty (0 bytes); nothing was stored.");
      await this.decide();
    }
    try {
      this.png?.finish();
    } catch (error) {
      throw asApiError(error);
    }
    if (this.svg) {
      const text = new TextDecoder().decode(concatAll(this.svg, this.size));
      const why = svgProblem(text);
      if (why) throw new ApiError(422, "unsafe_svg", `The SVG was refused: ${why}.`);
    }
    await this.digestWriter.close();
    const sha256 = toHex(new Uint8Array(await this.digest.digest));
    const metadata = await extractMetadata(this.capture?.found ?? this.raw ?? { exif: null, xmp: null });
    let dimensions = this.decided!.dimensions;
    if (dimensions && (metadata?.orientation ?? 1) >= 5)
      dimensions = { width: dimensions.height, height: dimensions.width };
    return { type: this.decided!.type, dimensions, size: this.size, sha256, metadata };
  }

  private async decide(): Promise<void> {
    const head = concatAll(this.head, this.headSize);
    this.head = [];
    const decision = decideType(head, this.name, this.limits.allowUnknown);
    if (!decision.ok) {
      throw decision.reason === "mismatch"
        ? new ApiError(
            415,
            "type_mismatch",
            `The name says ${decision.claimed} but the content is ${decision.detected}; rename the file or upload the right one.`,
          )
        : new ApiError(
            415,
            "unsupported_media_type",
            "The file's type is not recognised and unknown types are not accepted.",
          );
    }
    let dimensions: Dimensions | null = null;
    try {
      dimensions = readDimensions(decision.type.mime, head);
    } catch (error) {
      throw asApiError(error);
    }
    if (dimensions && dimensions.width * dimensions.height > this.limits.maxPixels) {
      throw new ApiError(
        413,
        "image_too_large",
        `The image is ${dimensions.width}×${dimensions.height} (${((dimensions.width * dimensions.height) / 1e6).toFixed(1)} MP); the limit is ${(this.limits.maxPixels / 1e6).toFixed(1)} megapixels.`,
      );
    }
    if (decision.type.mime === "image/png") this.png = new PngChunkWalker();
    if (decision.type.mime === "image/jpeg") this.raw = jpegMetadata(head);
    if (decision.type.mime === "image/png" || decision.type.mime === "image/webp")
      this.capture = new ChunkCapture(decision.type.mime === "image/png" ? "png" : "webp");
    if (decision.type.mime === "image/svg+xml") this.svg = [];
    this.decided = { type: decision.type, dimensions };
    if (head.length > 0) await this.pass(head);
  }

  private async pass(chunk: Uint8Array): Promise<void> {
    this.size += chunk.length;
    if (this.size > this.limits.maxBytes) throw tooLarge(this.limits.maxBytes);
    if (this.size > this.limits.quotaBytesLeft) throw quotaExceeded();
    this.capture?.push(chunk);
    if (this.png) {
      try {
        this.png.push(chunk);
      } catch (error) {
        throw asApiError(error);
      }
    }
    if (this.svg) {
      if (this.size > MAX_SVG_BYTES)
        throw new ApiError(413, "file_too_large", `SVG files are limited to ${MAX_SVG_BYTES} bytes.`);
      this.svg.push(chunk);
    }
    await this.digestWriter.write(chunk);
    if (this.sink) await this.sink.write(chunk);
  }
}

function asApiError(error: unknown): unknown {
  if (error instanceof ImageProblem) {
    return error.code === "image_bomb"
      ? new ApiError(413, "image_bomb", error.message)
      : new ApiError(422, "invalid_image", error.message);
  }
  return error;
}

/** `chunks` as one array (`size` is their total length). */
export function concatAll(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
