import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { caller } from "../../policy";
import * as results from "../../vectorize/results";
import type { getResult, listFormats, unlockFormat } from "./results.routes";

export const getResultHandler: RouteHandler<typeof getResult, AppEnv> = async (c) => {
  const { format, width } = c.req.valid("query");
  const file = await results.resultFile(
    c.env,
    caller(c),
    c.req.valid("param").id,
    format,
    { width },
    c.var.clock(),
  );
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": file.contentType,
    "Content-Disposition": `attachment; filename="${file.filename.replace(/["\\\r\n]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, max-age=3600",
  });
};

export const listFormatsHandler: RouteHandler<typeof listFormats, AppEnv> = async (c) => {
  return c.json(await results.jobFormats(c.env, caller(c), c.req.valid("param").id, c.var.clock()), 200);
};

export const unlockFormatHandler: RouteHandler<typeof unlockFormat, AppEnv> = async (c) => {
  const { id, format } = c.req.valid("param");
  return c.json(await results.unlockFormat(c.env, caller(c), id, format, c.var.clock()), 200);
};
