import { createRouter } from "../openapi";
import * as handlers from "./storage.handlers";
import * as routes from "./storage.routes";

export const storageRouter = createRouter()
  .openapi(routes.createStorageConnection, handlers.createStorageConnectionHandler)
  .openapi(routes.listStorageConnections, handlers.listStorageConnectionsHandler)
  .openapi(routes.getStorageConnection, handlers.getStorageConnectionHandler)
  .openapi(routes.testStorageConnection, handlers.testStorageConnectionHandler)
  .openapi(routes.deleteStorageConnection, handlers.deleteStorageConnectionHandler)
  .openapi(routes.importFromStorage, handlers.importFromStorageHandler)
  .openapi(routes.exportToStorage, handlers.exportToStorageHandler);
