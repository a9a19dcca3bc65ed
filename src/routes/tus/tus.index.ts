import { createRouter } from "../openapi";
import * as handlers from "./tus.handlers";
import * as routes from "./tus.routes";

export const tusRouter = createRouter()
  .openapi(routes.tusOptions, handlers.tusOptionsHandler)
  .openapi(routes.tusCreate, handlers.tusCreateHandler)
  .openapi(routes.tusStatus, handlers.tusStatusHandler)
  .openapi(routes.tusAppend, handlers.tusAppendHandler)
  .openapi(routes.tusTerminate, handlers.tusTerminateHandler);
