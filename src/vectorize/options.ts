import { z } from "@hono/zod-openapi";
import { traceOptionsSchema } from "../wasm/shared";

/**
 * `target` (issue 16, point 4): the job tries a few option sets and keeps the smallest result that
 * meets it (`minSSIM`: at least this SSIM against the source; `maxBytes`: an SVG of at most this size).
 */
export const targetSchema = z
  .strictObject({
    minSSIM: z.number().min(0).max(1).optional(),
    maxBytes: z.number().int().min(256).max(100_000_000).optional(),
  })
  .refine((t) => t.minSSIM !== undefined || t.maxBytes !== undefined, {
    message: "give minSSIM, maxBytes or both",
  })
  .openapi("VectorizeTarget");

/** The options of a vectorize job: the tracer's, plus `target`. */
export const vectorizeOptionsSchema = traceOptionsSchema.extend({ target: targetSchema.optional() });
export type VectorizeOptions = z.infer<typeof vectorizeOptionsSchema>;
export type VectorizeTarget = z.infer<typeof targetSchema>;

/**
 * `pricing` (issue 16, point 5): `test` is free and watermarked, `preview` cheap and traced from a
 * reduced copy, `production` the full trace.
 */
export const PRICING = ["test", "preview", "production"] as const;
export type Pricing = (typeof PRICING)[number];

/** The tracer's part of the options. */
export function traceOptionsOf(options: VectorizeOptions): Omit<VectorizeOptions, "target"> {
  const { target: _target, ...trace } = options;
  return trace;
}
