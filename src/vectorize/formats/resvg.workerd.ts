// workerd: resvg's .wasm is bundled by wrangler as a compiled module (the `?module` import) and
// handed to the renderer once per isolate; fetching it at run time would fail.
import resvgWasm from "@resvg/resvg-wasm/index_bg.wasm?module";
import { provideResvg } from "./raster";

provideResvg(resvgWasm);
