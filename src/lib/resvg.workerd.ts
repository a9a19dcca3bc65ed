// workerd: resvg's .wasm is bundled by wrangler as a compiled module (the `?module` import) and handed
// to the renderer once per isolate; fetching it at run time would fail. Import the renderer from here.
import resvgWasm from "@resvg/resvg-wasm/index_bg.wasm?module";
import { provideResvg } from "./resvg";

provideResvg(resvgWasm);

export * from "./resvg";
