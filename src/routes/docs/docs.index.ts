import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { DOCS_PAGE, DOCS_SCRIPT } from "./page";

/** `/api/docs`: a self-contained reference page over `/api/v1/openapi.json` (no CDN, works offline). */
export const docsRouter = new Hono<AppEnv>()
  .get("/", (c) => c.html(DOCS_PAGE))
  .get("/app.js", (c) => c.body(DOCS_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
