import { z } from "@hono/zod-openapi";
import { requires } from "../../policy";
import { createRoute, pickProblems, problem } from "../openapi";

const tags = ["Uploads (tus)"];
const mediaWrite = requires({ kind: "user", scope: "media:write" });

/** Documented only: tus headers are read by the handlers, which answer 400/412 as the spec says. */
const tusRequestHeaders = z.object({
  "tus-resumable": z.string().optional().openapi({ example: "1.0.0" }),
  "upload-length": z.string().optional().openapi({ description: "POST: the file's size in bytes." }),
  "upload-metadata": z.string().optional().openapi({
    description:
      "POST: `filename <base64>,folder <base64>,filetype <base64>,onConflict <base64>` (filename required; onConflict rename, replace or skip as for uploads).",
  }),
  "upload-offset": z.string().optional().openapi({ description: "PATCH: where these bytes go." }),
  "upload-checksum": z.string().optional().openapi({ description: "PATCH: `sha256 <base64 digest>`." }),
});
const uploadParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" }, example: "upl_0123456789abcdefghij" }),
});
const offsetBody = {
  content: { "application/offset+octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
};
const tusHeader = (description: string) => ({ schema: { type: "string" as const }, description });
const progressHeaders = {
  "Tus-Resumable": tusHeader("1.0.0"),
  "Upload-Offset": tusHeader("Bytes the server has."),
  "Upload-Expires": tusHeader("When an unfinished upload is dropped (HTTP date)."),
};
const tusProblems = {
  412: problem("Tus-Resumable is not 1.0.0 (Tus-Version says what is)"),
  460: problem("Checksum mismatch: nothing of the PATCH was kept"),
};

export const tusOptions = createRoute({
  operationId: "tusOptions",
  method: "options",
  path: "/tus",
  tags,
  summary: "tus capabilities: version, extensions, largest upload, checksum algorithms",
  responses: {
    204: {
      description: "Capabilities",
      headers: {
        "Tus-Version": tusHeader("1.0.0"),
        "Tus-Extension": tusHeader("creation,creation-with-upload,termination,expiration,checksum"),
        "Tus-Max-Size": tusHeader("Largest upload in bytes (MEDIA_MAX_MULTIPART_BYTES)."),
        "Tus-Checksum-Algorithm": tusHeader("sha256"),
      },
    },
  },
});

export const tusCreate = createRoute({
  operationId: "tusCreate",
  method: "post",
  path: "/tus",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Create a tus upload (creation; the body may carry its first bytes: creation-with-upload)",
  description:
    "Resumable uploads per tus 1.0 (tus-js-client, Uppy). When the last byte arrives the file is checked like any upload (type sniffing, quota, dedupe by SHA-256) and appears in the library; the final PATCH answers `Edgecraft-Media-Id`.",
  request: { headers: tusRequestHeaders, body: { ...offsetBody, required: false } },
  responses: {
    201: {
      description: "Created; Location is the upload's URL",
      headers: { Location: tusHeader("/api/v1/tus/{id}"), ...progressHeaders },
    },
    ...pickProblems(400, 401, 403, 409, 413, 415, 422),
    412: tusProblems[412],
  },
});

export const tusStatus = createRoute({
  operationId: "tusStatus",
  method: "get",
  path: "/tus/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Where a tus upload is (tus clients send HEAD, which answers the same without a body)",
  request: { params: uploadParam, headers: tusRequestHeaders },
  responses: {
    200: {
      description: "Upload-Offset, Upload-Length, Upload-Metadata",
      headers: { ...progressHeaders, "Upload-Length": tusHeader("The file's size.") },
    },
    ...pickProblems(401, 403, 404),
    412: tusProblems[412],
  },
});

export const tusAppend = createRoute({
  operationId: "tusAppend",
  method: "patch",
  path: "/tus/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Append bytes at Upload-Offset",
  request: { params: uploadParam, headers: tusRequestHeaders, body: { ...offsetBody, required: true } },
  responses: {
    204: {
      description: "Stored; Upload-Offset is the new offset",
      headers: {
        ...progressHeaders,
        "Edgecraft-Media-Id": tusHeader("On the last PATCH: the new file."),
        "Edgecraft-Conflict": tusHeader(
          "On the last PATCH, if the name was taken: renamed, replaced or skipped.",
        ),
      },
    },
    ...pickProblems(400, 401, 403, 404, 409, 413, 415, 422),
    412: tusProblems[412],
    460: tusProblems[460],
  },
});

export const tusTerminate = createRoute({
  operationId: "tusTerminate",
  method: "delete",
  path: "/tus/{id}",
  tags,
  middleware: [mediaWrite] as const,
  summary: "Terminate a tus upload (its stored bytes are dropped)",
  request: { params: uploadParam, headers: tusRequestHeaders },
  responses: { 204: { description: "Terminated" }, ...pickProblems(401, 403, 404), 412: tusProblems[412] },
});
