import { z } from "@hono/zod-openapi";
import { createRoute } from "../openapi";
import { pickProblems } from "../openapi";

/** Public: no credentials; the signed token is the authority. */
export const downloadShare = createRoute({
  operationId: "downloadShare",
  method: "get",
  path: "/shares/{token}",
  tags: ["Shares"],
  summary: "Download a shared file (anyone with the link, until it expires or is revoked)",
  request: {
    params: z.object({
      token: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "token", in: "path" } }),
    }),
  },
  responses: {
    200: {
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
      description: "The file",
    },
    206: { description: "Part of the file" },
    304: { description: "Not modified" },
    ...pickProblems(404),
    410: { description: "Expired or revoked" },
  },
});
