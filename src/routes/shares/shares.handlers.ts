import type { RouteHandler } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../../app-env";
import { getDb } from "../../db/client";
import { serveBlob } from "../../media/serve";
import { resolveShare } from "../../media/shares";
import { clientIp, spendRateLimit } from "../../middleware/rate-limit";
import type { downloadShare } from "./shares.routes";

export const downloadShareHandler: RouteHandler<typeof downloadShare, AppEnv> = async (c) => {
  // Links travel to anyone: limited per client whoever is signed in, as each download is a D1 write.
  await spendRateLimit(c, "share-ip", clientIp(c));
  const db = getDb(c.env.DB);
  const token = c.req.valid("param").token;
  const row = await resolveShare(db, c.env.AUTH_SECRET, token, c.var.clock());
  const range = c.req.header("range");
  if (!range) {
    const id = token.split(".")[0]!;
    c.executionCtx.waitUntil(
      db.run(sql`UPDATE shares SET downloads = downloads + 1 WHERE id = ${id}`).then(() => {}),
    );
  }
  return serveBlob(c.env.MEDIA, row, {
    range,
    ifNoneMatch: c.req.header("if-none-match"),
    download: true,
    cache: "private, no-store",
  }) as never;
};
