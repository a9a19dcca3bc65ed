import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { serveBlob } from "../../media/serve";
import { openSharedDownload } from "../../media/shares";
import { clientIp, spendRateLimit } from "../../middleware/rate-limit";
import type { downloadShare } from "./shares.routes";

export const downloadShareHandler: RouteHandler<typeof downloadShare, AppEnv> = async (c) => {
  // Links travel to anyone: limited per client whoever is signed in, as each download is a D1 write.
  await spendRateLimit(c, "share-ip", clientIp(c));
  const range = c.req.header("range");
  const { media, counted } = await openSharedDownload(
    getDb(c.env.DB),
    c.env.AUTH_SECRET,
    c.req.valid("param").token,
    { range: Boolean(range), now: c.var.clock() },
  );
  if (counted) c.executionCtx.waitUntil(counted);
  return serveBlob(getDb(c.env.DB), c.env.MEDIA, media, {
    range,
    ifNoneMatch: c.req.header("if-none-match"),
    download: true,
    cache: "private, no-store",
  }) as never;
};
