// Colour science shared by the stages: sRGB <-> linear, Oklab.

const srgbLin = new StaticArray<f64>(256);
let ready = false;

export function initColor(): void {
  if (ready) return;
  for (let i = 0; i < 256; i++) {
    let c = <f64>i / 255.0;
    unchecked((srgbLin[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
  }
  ready = true;
}

// result of the last conversion (no allocation per pixel)
export let okL: f64 = 0;
export let okA: f64 = 0;
export let okB: f64 = 0;

export function linToOklab(r: f64, g: f64, b: f64): void {
  let l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  let m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  let s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  okL = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  okA = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  okB = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}

/** c in 0..255 (fractional): the table interpolated */
@inline export function lin(c: f64): f64 {
  let i = <i32>c;
  if (i < 0) return 0;
  if (i >= 255) return unchecked(srgbLin[255]);
  let f = c - <f64>i;
  return unchecked(srgbLin[i]) * (1 - f) + unchecked(srgbLin[i + 1]) * f;
}

export function rgbToOklab(r: f64, g: f64, b: f64): void {
  linToOklab(lin(r), lin(g), lin(b));
}

export function clamp255(v: f64): i32 {
  let i = <i32>Math.round(v);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}
