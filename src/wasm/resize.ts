// Resampling in workerd with Squoosh's resize (Lanczos3 on premultiplied, linear-light pixels, so
// edges of transparent images don't darken). The .wasm is bundled as a compiled module and handed
// over once per isolate.
import resize, { initResize } from "@jsquash/resize";
import resizeWasm from "@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm?module";
import type { Rgba } from "./codecs";

let ready: Promise<unknown> | undefined;

/** `image` resampled to exactly width × height. */
export async function resample(image: Rgba, width: number, height: number): Promise<Rgba> {
  if (image.width === width && image.height === height) return image;
  ready ??= initResize(resizeWasm).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  await ready;
  // A plain object, not an ImageData: the library reads `data.buffer` whole, and an ImageData's
  // buffer is not guaranteed to be exactly its pixels.
  const out = await resize(
    { data: image.data, width: image.width, height: image.height } as Parameters<typeof resize>[0],
    {
      width,
      height,
      fitMethod: "stretch",
      method: "lanczos3",
      premultiply: true,
      linearRGB: true,
    },
  );
  return { data: out.data, width: out.width, height: out.height };
}
