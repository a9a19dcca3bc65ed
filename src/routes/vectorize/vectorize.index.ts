import { createRouter } from "../openapi";
import { vectorizeBatchHandler, vectorizeHandler } from "./vectorize.handlers";
import { vectorize, vectorizeBatch } from "./vectorize.routes";

export const vectorizeRouter = createRouter()
  .openapi(vectorize, vectorizeHandler)
  .openapi(vectorizeBatch, vectorizeBatchHandler);
