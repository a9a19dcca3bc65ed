import { z } from "@hono/zod-openapi";
import { MAX_ZIP_FILES } from "../../media/zip";
import { requires } from "../../policy";
import { createRoute, jsonContent, pickProblems } from "../openapi";

export const emptyTrash = createRoute({
  operationId: "emptyTrash",
  method: "post",
  path: "/trash/empty",
  tags: ["Media"],
  middleware: [requires({ kind: "user", scope: "media:write" })] as const,
  summary: "Delete everything in the trash for good",
  description:
    "Up to 10,000 files per call; `remaining` says how many are left (call again). Each file leaves an audit row.",
  responses: {
    200: jsonContent(z.object({ purged: z.number().int(), remaining: z.number().int() }), "Emptied"),
    ...pickProblems(401, 403),
  },
});

export const zipMedia = createRoute({
  operationId: "zipMedia",
  method: "get",
  path: "/media/zip",
  tags: ["Media"],
  middleware: [requires({ kind: "user", scope: "media:read" })] as const,
  summary: "Download a selection as one ZIP (streamed; folders kept as paths)",
  description: `At most ${MAX_ZIP_FILES} files and MEDIA_ZIP_MAX_BYTES bytes (413 \`zip_too_large\`).`,
  request: {
    query: z.object({
      ids: z
        .string()
        .min(1)
        .max(MAX_ZIP_FILES * 65)
        .regex(/^[A-Za-z0-9_]{1,64}(,[A-Za-z0-9_]{1,64})*$/)
        .openapi({ description: `Comma-separated media ids (at most ${MAX_ZIP_FILES})` }),
    }),
  },
  responses: {
    200: {
      content: { "application/zip": { schema: z.string().openapi({ format: "binary" }) } },
      description: "The ZIP (Content-Length known in advance)",
    },
    ...pickProblems(401, 403, 404, 413, 422),
  },
});
