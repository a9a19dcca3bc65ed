import { createRouter } from "../openapi";
import { vectorizeBatchHandler, vectorizeHandler, vectorizeQuoteHandler } from "./vectorize.handlers";
import { vectorize, vectorizeBatch, vectorizeQuote } from "./vectorize.routes";

export const vectorizeRouter = createRouter()
  .openapi(vectorize, vectorizeHandler)
  .openapi(vectorizeBatch, vectorizeBatchHandler)
  .openapi(vectorizeQuote, vectorizeQuoteHandler);
