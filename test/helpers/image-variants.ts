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

/** The central `keep` of the width and height (0.9: a 10 % crop, 5 % off each edge). */
export function crop(image: Rgba, keep: number): Rgba {
  const { width, height } = scaled(image, keep);
  const left = Math.floor((image.width - width) / 2);
  const top = Math.floor((image.height - height) / 2);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 4;
    out.set(image.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { data: out, width, height };
}

/**
 * A different picture with the same luminance: each pixel's chroma (Cb, Cr) turned by `degrees`
 * around the grey axis, its luma kept (a red icon made green, one tricolour flag made another).
 */
export function recolour(image: Rgba, degrees: number): Rgba {
  const out = new Uint8ClampedArray(image.data);
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  for (let i = 0; i < out.length; i += 4) {
    const [r, g, b] = [out[i]!, out[i + 1]!, out[i + 2]!];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    const [cb, cr] = [b - luma, r - luma];
    const red = luma + sin * cb + cos * cr;
    const blue = luma + cos * cb - sin * cr;
    out[i] = red;
    out[i + 1] = (luma - 0.299 * red - 0.114 * blue) / 0.587;
    out[i + 2] = blue;
  }
  return { data: out, width: image.width, height: image.height };
}

/** One colour all over, `rgba` for every pixel. */
export function blank(width: number, height: number, rgba: [number, number, number, number]): Rgba {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { data, width, height };
}
