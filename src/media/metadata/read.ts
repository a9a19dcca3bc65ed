import { ChunkCapture, jpegMetadata } from "./capture";
import { extractMetadata, type MediaMetadata } from "./extract";

/** The metadata of a whole file in memory (the streaming path is the Inspector's, at upload). */
export async function readMetadata(mime: string, bytes: Uint8Array): Promise<MediaMetadata | null> {
  if (mime === "image/jpeg") return extractMetadata(jpegMetadata(bytes));
  if (mime !== "image/png" && mime !== "image/webp") return null;
  const capture = new ChunkCapture(mime === "image/png" ? "png" : "webp");
  capture.push(bytes);
  return extractMetadata(capture.found);
}
