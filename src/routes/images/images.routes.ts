import { z } from "@hono/zod-openapi";
import { MAX_SIDE } from "../../media/images/transform";
import { requires } from "../../policy";
import { OUTPUT_FORMATS } from "../../wasm/codecs";
import { createRoute, pickProblems } from "../openapi";
import { idParam } from "../schemas";

const side = (what: string) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SIDE)
    .optional()
    .openapi({ description: `${what} in px; the other side follows the aspect ratio when left out` });

export const transformQuerySchema = z.object({
  w: side("Width"),
  h: side("Height"),
  fit: z.enum(["cover", "contain", "inside"]).default("inside").openapi({
    description:
      "With both `w` and `h`: `cover` fills the box and crops the overflow (centred), `contain` fits inside and pads to the box (transparent, white for JPEG), `inside` fits inside without padding",
  }),
  format: z.enum(OUTPUT_FORMATS).default("webp"),
  q: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Quality 1–100 (WebP, JPEG 80 and AVIF 50 by default; PNG is lossless)" }),
});

export const imageResponses = {
  200: {
    content: Object.fromEntries(
      ["image/webp", "image/avif", "image/jpeg", "image/png"].map((m) => [
        m,
        { schema: z.string().openapi({ format: "binary" }) },
      ]),
    ),
    description: "The image (ETag: the variant; `X-Transform-Cache: HIT|MISS`)",
  },
  304: { description: "Not modified (If-None-Match)" },
};

export const mediaImage = createRoute({
  operationId: "mediaImage",
  method: "get",
  path: "/media/{id}/image",
  tags: ["Media"],
  middleware: [requires({ kind: "user", scope: "media:read" })] as const,
  summary: "The image resized and converted (PNG, JPEG, WebP, SVG sources)",
  description: `Made once per (file bytes, parameters) and then served from storage, with a long \`Cache-Control\`. SVG is drawn at the size asked for. Limits: ${MAX_SIDE} px a side, 8 megapixels and 16 MiB of output (422 \`output_too_large\`), sources up to 12 megapixels (413 \`source_too_large\`); other types are 415 \`not_transformable\`.`,
  request: { params: idParam("med"), query: transformQuerySchema },
  responses: { ...imageResponses, ...pickProblems(401, 403, 404, 413, 415, 422) },
});
