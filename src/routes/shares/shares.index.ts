import { createRouter } from "../openapi";
import { downloadShareHandler } from "./shares.handlers";
import { downloadShare } from "./shares.routes";

export const sharesRouter = createRouter().openapi(downloadShare, downloadShareHandler);
