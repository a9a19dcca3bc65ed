import { createRouter } from "../openapi";
import * as handlers from "./shares.handlers";
import * as routes from "./shares.routes";

export const sharesRouter = createRouter()
  .openapi(routes.openShare, handlers.openShareHandler)
  .openapi(routes.unlockShare, handlers.unlockShareHandler)
  .openapi(routes.shareImage, handlers.shareImageHandler)
  .openapi(routes.shareZip, handlers.shareZipHandler)
  .openapi(routes.createShare, handlers.createShareHandler)
  .openapi(routes.myShares, handlers.mySharesHandler)
  .openapi(routes.extendShare, handlers.extendShareHandler)
  .openapi(routes.revokeMyShare, handlers.revokeMyShareHandler)
  .openapi(routes.signShareImage, handlers.signShareImageHandler)
  .openapi(routes.createFileShare, handlers.createFileShareHandler)
  .openapi(routes.fileShares, handlers.fileSharesHandler)
  .openapi(routes.revokeFileShare, handlers.revokeFileShareHandler);
