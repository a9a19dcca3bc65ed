// workerd entry of the output formats: resvg's module provided once (PNG, quality), then the writers.
import "../lib/resvg.workerd";

export * from "./formats/index";
export { renderPixels } from "./formats/raster";
