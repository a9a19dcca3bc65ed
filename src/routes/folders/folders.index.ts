import { createRouter } from "../openapi";
import * as handlers from "./folders.handlers";
import * as routes from "./folders.routes";

export const foldersRouter = createRouter()
  .openapi(routes.folderTree, handlers.folderTreeHandler)
  .openapi(routes.createFolder, handlers.createFolderHandler)
  .openapi(routes.renameFolder, handlers.renameFolderHandler)
  .openapi(routes.moveFolder, handlers.moveFolderHandler)
  .openapi(routes.deleteFolder, handlers.deleteFolderHandler);
