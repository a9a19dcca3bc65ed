import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { ApiError } from "../../errors";
import { mediaConfig } from "../../media/config";
import { emptyTrash } from "../../media/trash";
import { MAX_ZIP_FILES, zipSelection } from "../../media/zip";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./library.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

export const emptyTrashHandler: H<typeof routes.emptyTrash> = async (c) => {
  const result = await emptyTrash(
    getDb(c.env.DB),
    c.env.MEDIA,
    caller(c).userId,
    c.var.clock(),
    auditContext(c),
  );
  return c.json(result, 200);
};

export const zipMediaHandler: H<typeof routes.zipMedia> = async (c) => {
  const ids = c.req.valid("query").ids.split(",");
  if (new Set(ids).size > MAX_ZIP_FILES)
    throw new ApiError(413, "zip_too_large", `A ZIP download holds at most ${MAX_ZIP_FILES} files.`);
  const zip = await zipSelection(
    getDb(c.env.DB),
    c.env.MEDIA,
    caller(c).userId,
    ids,
    mediaConfig(c.env).zipMaxBytes,
  );
  return zip as never;
};
