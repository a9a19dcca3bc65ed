// The options of one trace, read from one struct of f64 fields that src/wasm/core.ts writes
// (OPTION_LAYOUT there lists the same fields in the same order; optionCount() lets it check).

export const MODE_COLOR: i32 = 0;
export const MODE_BINARY: i32 = 1;
export const MODE_POSTERIZE: i32 = 2;
export const MODE_CENTERLINE: i32 = 3;

// Where to stop (for the per-stage golden tests and debugging): the SVG then shows that stage's result.
export const STOP_QUANTIZE: i32 = 1;
export const STOP_SEGMENT: i32 = 2;
export const STOP_CONTOUR: i32 = 3;
export const STOP_GRADIENTS: i32 = 4;
export const STOP_NONE: i32 = 0;

export const OPTION_COUNT: i32 = 18;

export class Options {
  mode: i32 = MODE_COLOR;
  /** fixed palette size; 0 = automatic */
  colors: i32 = 0;
  /** 0..100: colour error target of automatic palettes */
  detail: f64 = 50;
  /** 0..100 */
  smoothness: f64 = 50;
  /** curve fitting tolerance in px */
  fitTol: f64 = 0.8;
  /** cosine of the corner threshold angle */
  cornerCos: f64 = 0.5;
  speckle: i32 = 4;
  polygons: bool = false;
  cutout: bool = false;
  /** decimals in path data */
  precision: i32 = 1;
  dropWhite: bool = false;
  threshold: i32 = 128;
  /** size of the source image (the viewBox) */
  outW: f64 = 0;
  outH: f64 = 0;
  stopAfter: i32 = STOP_NONE;
  /** fixed palette: `paletteN` u32 0xRRGGBB at `palette` (0 entries = automatic colours) */
  paletteN: i32 = 0;
  palette: usize = 0;
  /** centerline: areas thicker than maxStrokeWidth become fills */
  fillWide: bool = true;
  maxStrokeWidth: f64 = 12;

  /** palette entry i as 0xRRGGBB */
  @inline paletteAt(i: i32): i32 {
    return <i32>load<u32>(this.palette + (<usize>i << 2));
  }

  static read(ptr: usize): Options {
    let o = new Options();
    o.mode = <i32>load<f64>(ptr);
    o.colors = <i32>load<f64>(ptr + 8);
    o.detail = load<f64>(ptr + 16);
    o.smoothness = load<f64>(ptr + 24);
    o.fitTol = 0.35 + 0.012 * o.smoothness; // 0..100 -> 0.35..1.55 px
    o.cornerCos = Math.cos((load<f64>(ptr + 32) * Math.PI) / 180);
    o.speckle = <i32>load<f64>(ptr + 40);
    o.polygons = load<f64>(ptr + 48) != 0;
    o.cutout = load<f64>(ptr + 56) != 0;
    let p = <i32>load<f64>(ptr + 64);
    o.precision = p < 0 ? 0 : p > 3 ? 3 : p;
    o.dropWhite = load<f64>(ptr + 72) != 0;
    o.threshold = <i32>load<f64>(ptr + 80);
    o.outW = load<f64>(ptr + 88);
    o.outH = load<f64>(ptr + 96);
    o.stopAfter = <i32>load<f64>(ptr + 104);
    o.paletteN = <i32>load<f64>(ptr + 112);
    o.palette = <usize>load<f64>(ptr + 120);
    o.fillWide = load<f64>(ptr + 128) != 0;
    o.maxStrokeWidth = load<f64>(ptr + 136);
    return o;
  }
}
