import { createRouter } from "../openapi";
import * as handlers from "./media.handlers";
import * as routes from "./media.routes";

/** Literal paths (/media/stats, /media/bulk, /media/uploads) are registered before /media/{id}. */
export const mediaRouter = createRouter()
  .openapi(routes.uploadMedia, handlers.uploadMediaHandler)
  .openapi(routes.listMedia, handlers.listMediaHandler)
  .openapi(routes.mediaStats, handlers.mediaStatsHandler)
  .openapi(routes.bulkMedia, handlers.bulkMediaHandler)
  .openapi(routes.createUpload, handlers.createUploadHandler)
  .openapi(routes.uploadPart, handlers.uploadPartHandler)
  .openapi(routes.completeUpload, handlers.completeUploadHandler)
  .openapi(routes.abortUpload, handlers.abortUploadHandler)
  .openapi(routes.getMedia, handlers.getMediaHandler)
  .openapi(routes.patchMedia, handlers.patchMediaHandler)
  .openapi(routes.deleteMedia, handlers.deleteMediaHandler)
  .openapi(routes.restoreMedia, handlers.restoreMediaHandler)
  .openapi(routes.mediaContent, handlers.mediaContentHandler)
  .openapi(routes.mediaThumbnail, handlers.mediaThumbnailHandler);
