// workerd entry of the output formats: resvg's module provided once (PNG, quality), then the writers.
import "./formats/resvg.workerd";

export * from "./formats/index";
export { renderPixels } from "./formats/raster";
