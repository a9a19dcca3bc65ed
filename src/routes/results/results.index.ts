import { createRouter } from "../openapi";
import { getResultHandler, listFormatsHandler, unlockFormatHandler } from "./results.handlers";
import { getResult, listFormats, unlockFormat } from "./results.routes";

export const resultsRouter = createRouter()
  .openapi(getResult, getResultHandler)
  .openapi(listFormats, listFormatsHandler)
  .openapi(unlockFormat, unlockFormatHandler);
