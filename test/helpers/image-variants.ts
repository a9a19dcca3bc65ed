/**
 * Copies of a picture that a person would call "the same picture" or "a look-alike", for the
 * fingerprint tests (workerd, test/fixtures) and the look-alike benchmark (Node, the clip-art
 * corpus). Pure pixel edits here; resizing and encoding come from each side's codecs.
 */

export interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Over white, fully opaque: what a JPEG copy of a transparent PNG looks like. */
export function flatten(image: Rgba): Rgba {
  const out = new Uint8ClampedArray(image.data.length);
  for (let i = 0; i < out.length; i += 4) {
    const a = image.data[i + 3]! / 255;
    for (let c = 0; c < 3; c++) out[i + c] = image.data[i + c]! * a + 255 * (1 - a);
    out[i + 3] = 255;
  }
  return { data: out, width: image.width, height: image.height };
}

/** Every colour channel times `factor` (clamped): a brighter (> 1) or darker copy. */
export function brighten(image: Rgba, factor: number): Rgba {
  const out = new Uint8ClampedArray(image.data);
  for (let i = 0; i < out.length; i += 4) for (let c = 0; c < 3; c++) out[i + c] = out[i + c]! * factor;
  return { data: out, width: image.width, height: image.height };
}

/** A small edit: an opaque square covering `fraction` of the area, in a corner. */
export function stamp(image: Rgba, fraction: number, rgb: [number, number, number] = [220, 30, 30]): Rgba {
  const out = new Uint8ClampedArray(image.data);
  const side = Math.round(Math.sqrt(fraction * image.width * image.height));
  for (let y = 0; y < Math.min(side, image.height); y++)
    for (let x = 0; x < Math.min(side, image.width); x++) {
      const i = ((image.height - 1 - y) * image.width + (image.width - 1 - x)) * 4;
      out.set([...rgb, 255], i);
    }
  return { data: out, width: image.width, height: image.height };
}

/** Width and height scaled by `factor` (at least 1 pixel each). */
export const scaled = (image: Rgba, factor: number) => ({
  width: Math.max(1, Math.round(image.width * factor)),
  height: Math.max(1, Math.round(image.height * factor)),
});
