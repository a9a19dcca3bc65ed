import type { Pricing, VectorizeOptions } from "./options";

/**
 * What made a result, as short name parts (issue 16, point 6): `logo.svg` traced with the logo preset
 * is `logo.logo.svg`, with 8 colours `logo.c8.svg`; binary, posterize and centerline modes, a palette,
 * a threshold, a target and the test and preview pricings each add theirs. Default options add none.
 */
export function variantParts(options: VectorizeOptions, pricing: Pricing = "production"): string[] {
  const parts: string[] = [];
  if (options.preset) parts.push(options.preset);
  if (options.mode && options.mode !== "color") parts.push(options.mode);
  if (options.colors !== undefined) parts.push(`c${options.colors}`);
  if (options.palette?.length) parts.push(`p${options.palette.length}`);
  if (options.threshold !== undefined) parts.push(`t${options.threshold}`);
  if (options.detail !== undefined) parts.push(`d${options.detail}`);
  if (options.target?.minSSIM !== undefined) parts.push(`ssim${Math.round(options.target.minSSIM * 100)}`);
  if (options.target?.maxBytes !== undefined) parts.push(`max${Math.round(options.target.maxBytes / 1024)}k`);
  if (pricing !== "production") parts.push(pricing);
  return parts;
}

/** `logo.png` + options → `logo.c8.svg` (or another extension for other formats). */
export function resultNameFor(
  sourceName: string,
  options: VectorizeOptions,
  pricing: Pricing = "production",
  extension = "svg",
): string {
  const base = sourceName.replace(/\.[A-Za-z0-9]{1,5}$/, "") || "image";
  return [base, ...variantParts(options, pricing), extension].join(".");
}
