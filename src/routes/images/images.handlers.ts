import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { transformImage } from "../../media/images/transform";
import * as library from "../../media/library";
import { caller } from "../../policy";
import type { mediaImage } from "./images.routes";

/** A file's bytes never change under its id, so its variants may be cached for good. */
const IMMUTABLE = "private, max-age=31536000, immutable";

export const mediaImageHandler: RouteHandler<typeof mediaImage, AppEnv> = async (c) => {
  const row = await library.getOwned(getDb(c.env.DB), caller(c).userId, c.req.valid("param").id);
  const { response, cache } = await transformImage(getDb(c.env.DB), c.env.MEDIA, row, c.req.valid("query"), {
    ifNoneMatch: c.req.header("if-none-match"),
    cacheControl: IMMUTABLE,
  });
  response.headers.set("X-Transform-Cache", cache);
  return response as never;
};
